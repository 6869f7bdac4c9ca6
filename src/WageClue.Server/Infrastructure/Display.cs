using System.Globalization;
using System.Text;

namespace WageClue.Server.Infrastructure;

/// <summary>How times and spans read in Chinese, in emails and pages alike.</summary>
public static class Display
{
    public static string Time(DateTimeOffset local) => local.ToString("yyyy年M月d日 HH:mm", CultureInfo.InvariantCulture);

    public static string Day(DateOnly day) => day.ToString("yyyy年M月d日", CultureInfo.InvariantCulture);

    /// <summary>"2天3小时", "1小时5分钟", "不足1分钟": calendar time, as a reader counts it.</summary>
    public static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1)) return "不足1分钟";
        var text = new StringBuilder();
        if (span.Days > 0) text.Append(CultureInfo.InvariantCulture, $"{span.Days}天");
        if (span.Hours > 0) text.Append(CultureInfo.InvariantCulture, $"{span.Hours}小时");
        if (span.Days == 0 && span.Minutes > 0) text.Append(CultureInfo.InvariantCulture, $"{span.Minutes}分钟");
        return text.ToString();
    }

    /// <summary>Working time (business hours only): "12小时30分钟", without days, which would mislead.</summary>
    public static string WorkingSpan(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1)) return "不足1分钟";
        var hours = (int)span.TotalHours;
        return (hours > 0 ? $"{hours}小时" : "") + (span.Minutes > 0 ? $"{span.Minutes}分钟" : "") + "（工作时间）";
    }

    /// <summary>The working time from one moment to a later one on the calendar, as <see cref="WorkingTime(TimeSpan, TimeSpan)"/> writes it.</summary>
    public static string WorkingTime(WageClue.Workflows.Sla.DeadlineCalculator calculator, DateTimeOffset from, DateTimeOffset to) =>
        WorkingTime(calculator.WorkingTimeBetween(from, to), calculator.WorkingDayLength);

    /// <summary>
    /// Working time as the deadlines count it: "2个工作日3小时", "3小时20分钟" (a working day is the definition's
    /// business hours, 7.5 hours in Zibo). Overdue and remaining time on the pages and in the emails read this way, so a weekend
    /// never makes a clue look three days later than the rules say.
    /// </summary>
    public static string WorkingTime(TimeSpan span, TimeSpan workingDay)
    {
        if (span < TimeSpan.FromMinutes(1)) return "不足1分钟";
        var days = (int)(span.Ticks / workingDay.Ticks);
        var rest = span - days * workingDay;
        var text = new StringBuilder();
        if (days > 0) text.Append(CultureInfo.InvariantCulture, $"{days}个工作日");
        if (rest.Hours > 0) text.Append(CultureInfo.InvariantCulture, $"{rest.Hours}小时");
        if (days == 0 && rest.Minutes > 0) text.Append(CultureInfo.InvariantCulture, $"{rest.Minutes}分钟");
        return text.Length == 0 ? "不足1小时" : text.ToString();
    }

    /// <summary>"87.5%": one decimal, no space before the sign (as Chinese reports write it); "—" when there is nothing to count.</summary>
    public static string Percent(double? share) => share is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string ClueUrl(string baseUrl, long clueId) => $"{baseUrl.TrimEnd('/')}/clues/{clueId}";
}
