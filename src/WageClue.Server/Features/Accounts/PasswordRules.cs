using System.Reflection;
using System.Text;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// What a new password must be (issue 13, finding 7; NIST SP 800-63B 3.1.1.2 asks for exactly these checks): at
/// least <see cref="MinimumLength"/> characters, and none of the passwords guessers try first: one character or a
/// short pattern repeated (aaaaaaaaaa, abababab12), a run along the digits, the alphabet or a keyboard row
/// (1234567890, qwertyuiop), only digits, a common word with digits or symbols around it (password12, woaini1314,
/// from common-passwords.txt), or the username. No rule about character classes: length beats them.
/// </summary>
public static class PasswordRules
{
    public const int MinimumLength = 10;

    private static readonly string[] Runs =
    [
        "01234567890", "09876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
        "qwertyuiop", "poiuytrewq", "asdfghjkl", "lkjhgfdsa", "zxcvbnm", "mnbvcxz", "1qaz2wsx3edc4rfv5tgb", "!qaz@wsx#edc",
    ];

    private static readonly Lazy<HashSet<string>> Common = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("WageClue.Server.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#')) words.Add(line.Trim());
        return words;
    });

    /// <returns>Why the password is refused, in Chinese, or null when it may be used.</returns>
    public static string? Problem(string? password, string? username)
    {
        if (password == null || password.Length < MinimumLength) return $"密码至少 {MinimumLength} 位";
        if (password.Length > 128) return "密码不能超过 128 位";
        var lower = password.ToLowerInvariant();
        if (lower.All(char.IsAsciiDigit)) return "密码不能全是数字";
        if (IsRepetition(lower)) return "密码不能是重复的字符（如 aaaaaaaaaa、abcabcabc）";
        if (IsRun(lower)) return "密码不能是连续的字符或键盘顺序（如 1234567890、qwertyuiop）";
        var name = username?.Trim().ToLowerInvariant();
        if (!string.IsNullOrEmpty(name) && (lower.Contains(name, StringComparison.Ordinal) || Fold(lower) == Fold(name)))
            return "密码不能包含用户名";
        var word = Fold(lower);
        if (word.Length == 0 || Common.Value.Contains(word) || IsRun(word) || IsRepetition(word))
            return "密码过于常见（常用词、姓氏拼音或键盘顺序加数字），请换一个更长、不常见的密码";
        return null;
    }

    /// <summary>The word in a password: letters substituted back (p@ssw0rd → password), digits and symbols cut from both ends.</summary>
    private static string Fold(string password)
    {
        var text = new StringBuilder(password.Length);
        foreach (var c in password)
            text.Append(c switch { '0' => 'o', '1' => 'i', '3' => 'e', '4' => 'a', '5' => 's', '@' => 'a', '$' => 's', _ => c });
        // Substitutions apply inside the word only: trailing digits stay digits and are cut.
        var inner = password.Trim("0123456789!@#$%^&*()-_=+.,;:~`'\"?/\\|<>[]{} ".ToCharArray());
        if (inner.Length == 0) return "";
        var start = password.IndexOf(inner, StringComparison.Ordinal);
        return text.ToString(start, inner.Length).Replace(" ", "", StringComparison.Ordinal);
    }

    /// <summary>A unit of up to 3 characters repeated to the end (a tail of digits allowed: abab1234 is still "ab").</summary>
    private static bool IsRepetition(string text)
    {
        var core = text.TrimEnd("0123456789".ToCharArray());
        if (core.Length < 4) core = text;
        for (var unit = 1; unit <= 3 && unit < core.Length; unit++)
        {
            var repeats = true;
            for (var i = unit; i < core.Length && repeats; i++) repeats = core[i] == core[i % unit];
            if (repeats) return true;
        }
        return text.Distinct().Count() <= 2;
    }

    private static bool IsRun(string text) => text.Length >= 4 && Runs.Any(run => run.Contains(text, StringComparison.Ordinal));
}
