namespace WageClue.Workflows.Calendar;

/// <summary>
/// One year of the State Council's holiday arrangement: the Mon-Fri dates that are days off and the Sat/Sun dates
/// that are make-up working days (调休上班). Every other Mon-Fri works; every other Sat/Sun rests.
/// </summary>
public sealed record CalendarYear(
    int Year,
    IReadOnlySet<DateOnly> Holidays,
    IReadOnlySet<DateOnly> Workdays,
    string? Notice = null,
    DateOnly? Published = null,
    string? Source = null)
{
    /// <summary>Problems that make the arrangement unusable, each naming the field at fault; empty when valid.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (Year is < 2000 or > 2100)
            errors.Add(("year", "年份须在 2000 至 2100 之间"));
        foreach (var day in Holidays)
        {
            if (day.Year != Year) errors.Add(("holidays", $"{day:yyyy-MM-dd} 不属于 {Year} 年"));
            else if (IsWeekend(day)) errors.Add(("holidays", $"{day:yyyy-MM-dd} 是周末，节假日列表只列周一至周五的休息日"));
        }
        foreach (var day in Workdays)
        {
            if (day.Year != Year) errors.Add(("workdays", $"{day:yyyy-MM-dd} 不属于 {Year} 年"));
            else if (!IsWeekend(day)) errors.Add(("workdays", $"{day:yyyy-MM-dd} 不是周末，调休上班日只列周六、周日"));
        }
        return errors;
    }

    internal static bool IsWeekend(DateOnly day) => day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
}
