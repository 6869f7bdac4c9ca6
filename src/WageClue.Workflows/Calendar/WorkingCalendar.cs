namespace WageClue.Workflows.Calendar;

/// <summary>
/// The statutory working-day calendar of mainland China, immutable. A day in a year without published data is
/// judged from weekdays and the statutory holiday dates and reported as provisional, never silently trusted.
/// </summary>
public sealed class WorkingCalendar
{
    private readonly Dictionary<int, CalendarYear> _years;
    private readonly Dictionary<int, IReadOnlySet<DateOnly>> _estimates = new();
    private readonly Lock _estimatesLock = new();

    /// <param name="version">Grows whenever an administrator changes a year; stored with every computed clock.</param>
    public WorkingCalendar(IEnumerable<CalendarYear> years, long version)
    {
        _years = years.ToDictionary(y => y.Year);
        Version = version;
    }

    public long Version { get; }

    public IReadOnlyCollection<CalendarYear> Years => _years.Values;

    public bool HasYear(int year) => _years.ContainsKey(year);

    public WorkingDay Check(DateOnly day)
    {
        if (_years.TryGetValue(day.Year, out var data))
        {
            var working = CalendarYear.IsWeekend(day) ? data.Workdays.Contains(day) : !data.Holidays.Contains(day);
            return new WorkingDay(working, Provisional: false);
        }
        var estimate = EstimateFor(day.Year);
        return new WorkingDay(!CalendarYear.IsWeekend(day) && !estimate.Contains(day), Provisional: true);
    }

    private IReadOnlySet<DateOnly> EstimateFor(int year)
    {
        lock (_estimatesLock)
        {
            if (!_estimates.TryGetValue(year, out var set))
                _estimates[year] = set = StatutoryHolidayEstimate.For(year);
            return set;
        }
    }
}

public readonly record struct WorkingDay(bool IsWorking, bool Provisional);
