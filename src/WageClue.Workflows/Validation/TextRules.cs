using System.Buffers;
using System.Globalization;
using System.Text;

namespace WageClue.Workflows.Validation;

/// <summary>Whether a text may hold line breaks: a name or a code is one line, a description or a finding many.</summary>
public enum TextKind { SingleLine, MultiLine }

/// <summary>
/// The one home of the rules every free-text field follows, wherever it arrives (intake, action fields, employers,
/// users, credit records, listings, search):
/// <list type="bullet">
/// <item>lengths are counted as a reader counts characters (grapheme clusters): an emoji with its skin tone or a
/// family of four is one character, not the 2–11 UTF-16 units .NET's <c>Length</c> counts;</item>
/// <item>control characters are refused: NUL (PostgreSQL cannot store it), and in a single-line field every line
/// break (a CR/LF in an employer name could forge a "Bcc:" line in an email body or a row in an export);</item>
/// <item>bidirectional overrides and isolates (U+202A–202E, U+2066–2069, the marks U+200E, U+200F, U+061C) are
/// refused: they make 某某公司 display as another name in lists and exports (the "Trojan Source" trick);</item>
/// <item>a lone surrogate (not a character at all) is refused.</item>
/// </list>
/// </summary>
public static class TextRules
{
    private static readonly SearchValues<char> Bidi = SearchValues.Create(
        "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C");

    /// <summary>Characters as people count them.</summary>
    public static int Length(string text) => new StringInfo(text).LengthInTextElements;

    /// <summary>
    /// The text trimmed, or the problem with it in Chinese (the label first). Empty text is the caller's to judge
    /// (required or not): it comes back as "".
    /// </summary>
    public static (string Text, string? Problem) Check(string value, string label, int maxLength, TextKind kind = TextKind.SingleLine)
    {
        var text = value.Trim();
        var problem = ProblemOf(text, label, kind);
        if (problem == null && Length(text) > maxLength) problem = $"{label}不能超过 {maxLength} 个字";
        return (text, problem);
    }

    /// <summary>Only the characters (no length): for a text with no limit of its own, such as a search term.</summary>
    public static string? ProblemOf(string text, string label, TextKind kind = TextKind.SingleLine)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            if (char.IsSurrogate(c)) return $"{label}含有无效字符";
            if (c is '\n' or '\r' or '\u2028' or '\u2029' or '\u0085')
            {
                if (kind == TextKind.SingleLine) return $"{label}不能换行";
                continue;
            }
            if (c == '\t' && kind == TextKind.MultiLine) continue;
            if (char.IsControl(c)) return $"{label}含有不允许的控制字符";
            if (Bidi.Contains(c)) return $"{label}含有文字方向控制字符（可用来伪装文字），请删除后再提交";
        }
        return null;
    }

    /// <summary>One line of a value for a plain-text email or a log: line breaks and other controls shown as spaces.</summary>
    public static string OneLine(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (var c in text) line.Append(char.IsControl(c) || c is '\u2028' or '\u2029' || Bidi.Contains(c) ? ' ' : c);
        return line.ToString();
    }
}
