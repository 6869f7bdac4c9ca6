using System.Text.RegularExpressions;
using WageClue.Workflows.Validation;

namespace WageClue.Server.Features.Clues;

public enum SearchKind { TrackingCode, CreditCode, Phone, NameOrEmployer }

/// <summary>
/// What one search box means. A caseworker types whatever the caller gave them, so the term is read by its shape:
/// a tracking code (ZB and 10 characters), a credit code (18 characters, check character right), digits (the
/// phone: the whole number, or its last four digits, 尾号, as callers give it; phones are stored sealed and found by
/// keyed hashes of just these two, Privacy/PersonalData), or else words: a complainant's full name or part of an employer's
/// name (at least 2 characters, Chinese or not). Full-width input is folded first (ChineseIdentifiers.Normalize).
/// </summary>
public sealed partial record SearchTerm(SearchKind Kind, string Value)
{
    public const int MinWords = 2, MaxLength = 50;

    /// <summary>The fewest digits of a whole number (a landline without its area code).</summary>
    public const int MinWholePhoneDigits = 7;

    /// <summary>How the page says what it searched for.</summary>
    public string Description => Kind switch
    {
        SearchKind.TrackingCode => $"线索编号 {Value}",
        SearchKind.CreditCode => $"统一社会信用代码 {Value}",
        SearchKind.Phone => IsPhoneTail ? $"反映人电话尾号 {Value}" : $"反映人电话 {Value}",
        _ => $"反映人姓名为“{Value}”或用人单位名称含“{Value}”",
    };

    /// <returns>The term, null for a blank box, or the message for the field <c>q</c>.</returns>
    public static (SearchTerm? Term, string? Error) Parse(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw)) return (null, null);
        if (TextRules.Check(raw, "查询内容", MaxLength).Problem is { } problem) return (null, problem);
        var folded = ChineseIdentifiers.Normalize(raw)!;
        if (TrackingCodePattern().IsMatch(folded)) return (new SearchTerm(SearchKind.TrackingCode, folded), null);
        if (ChineseIdentifiers.IsValidCreditCode(folded)) return (new SearchTerm(SearchKind.CreditCode, folded), null);
        var digits = folded.Replace("-", "", StringComparison.Ordinal);
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
            return digits.Length == Privacy.PersonalData.TailDigits || digits.Length >= MinWholePhoneDigits
                ? (new SearchTerm(SearchKind.Phone, digits), null)
                : (null, $"按电话查找请输入完整号码或后 {Privacy.PersonalData.TailDigits} 位");
        // Words keep their spaces inside (an English name), only the ends are trimmed.
        var words = raw.Normalize(System.Text.NormalizationForm.FormKC).Trim();
        return words.Length < MinWords
            ? (null, $"按姓名或单位名称查找请至少输入 {MinWords} 个字")
            : (new SearchTerm(SearchKind.NameOrEmployer, words), null);
    }

    /// <summary>The term inside a LIKE pattern, its wildcards taken literally.</summary>
    public string LikeContains => "%" + Value.Replace(@"\", @"\\", StringComparison.Ordinal)
        .Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";

    /// <summary>A phone term of four digits: the number's end, not the whole number.</summary>
    public bool IsPhoneTail => Kind == SearchKind.Phone && Value.Length == Privacy.PersonalData.TailDigits;

    [GeneratedRegex("^ZB[0-9A-Z]{10}$")]
    private static partial Regex TrackingCodePattern();
}
