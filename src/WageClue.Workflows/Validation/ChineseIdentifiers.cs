using System.Globalization;
using System.Text.RegularExpressions;

namespace WageClue.Workflows.Validation;

/// <summary>Check characters and formats of the identifiers a clue carries.</summary>
public static partial class ChineseIdentifiers
{
    // GB 32100-2015: 31 characters, without I, O, S, V, Z.
    private const string CreditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] CreditCodeWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    // GB 11643-1999.
    private static readonly int[] IdWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdCheckCharacters = "10X98765432";

    /// <summary>
    /// An identifier as typed, made comparable: full-width forms folded to ASCII (a Chinese input method types
    /// ０５３３－２１８７６５４ and ＺＢ…), the other dashes read as a hyphen, spaces dropped (the ideographic one too),
    /// letters upper case. Every identifier field (phone, ID number, credit code, tracking code) goes through it.
    /// </summary>
    public static string? Normalize(string? value)
    {
        if (value == null) return null;
        var folded = value.Normalize(System.Text.NormalizationForm.FormKC);
        var text = new System.Text.StringBuilder(folded.Length);
        foreach (var ch in folded)
        {
            if (char.IsWhiteSpace(ch)) continue;
            text.Append(ch is '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2212' or '\u30FC' ? '-' : char.ToUpperInvariant(ch));
        }
        return text.ToString();
    }

    /// <summary>The 18-character unified social credit code (统一社会信用代码), check character included.</summary>
    public static bool IsValidCreditCode(string? code)
    {
        if (code is not { Length: 18 }) return false;
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = CreditCodeAlphabet.IndexOf(code[i]);
            if (value < 0) return false;
            sum += value * CreditCodeWeights[i];
        }
        var check = (31 - sum % 31) % 31;
        return code[17] == CreditCodeAlphabet[check];
    }

    /// <summary>An 18-digit resident identity card number: a real birth date and the right check character.</summary>
    public static bool IsValidResidentId(string? id)
    {
        if (id is not { Length: 18 } || !id[..17].All(char.IsAsciiDigit)) return false;
        if (!DateOnly.TryParseExact(id.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth)
            || birth.Year < 1900)
            return false;
        var sum = 0;
        for (var i = 0; i < 17; i++) sum += (id[i] - '0') * IdWeights[i];
        return char.ToUpperInvariant(id[17]) == IdCheckCharacters[sum % 11];
    }

    /// <summary>A mainland mobile number (11 digits starting 13-19) or a landline with its area code, e.g. 0533-1234567.</summary>
    public static bool IsValidPhone(string? phone) => phone != null && PhonePattern().IsMatch(phone);

    [GeneratedRegex(@"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")]
    private static partial Regex PhonePattern();

    /// <summary>张三 → 张*, 欧阳娜娜 → 欧***; for lists and emails (PIPL: minimum necessary).</summary>
    public static string MaskName(string name) =>
        name.Length <= 1 ? "*" : string.Concat(name.AsSpan(0, 1), new string('*', name.Length - 1));

    /// <summary>13812341234 → 138****1234; a landline keeps its area code and last four digits.</summary>
    public static string MaskPhone(string phone) =>
        phone.Length <= 7 ? new string('*', phone.Length) : string.Concat(phone.AsSpan(0, 3), new string('*', phone.Length - 7), phone.AsSpan(phone.Length - 4));
}
