using System.Globalization;
using System.Text.RegularExpressions;

namespace WageClue.Server.Infrastructure.Http;

public static partial class Timestamps
{
    public const string FormatHint = "须为带时区的 ISO-8601 时间，例如 2026-11-25T09:05:00+08:00";

    /// <summary>
    /// ISO-8601 with an explicit offset or Z only: a time without one would silently be read in the server's own
    /// zone, which is exactly the kind of error that moves a deadline by eight hours.
    /// </summary>
    /// <remarks>The result is in UTC: Npgsql writes timestamptz only from offset 0, and responses convert back to +08:00.</remarks>
    public static bool TryParseWithOffset(string? value, out DateTimeOffset result)
    {
        result = default;
        if (value == null || !OffsetTimestamp().IsMatch(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            return false;
        result = parsed.ToUniversalTime();
        return true;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex OffsetTimestamp();
}
