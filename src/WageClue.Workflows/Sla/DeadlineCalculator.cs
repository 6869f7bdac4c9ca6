using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;

namespace WageClue.Workflows.Sla;

public readonly record struct ReceiptDay(DateOnly Day, bool Provisional);

public readonly record struct Deadline(DateTimeOffset DueAt, bool Provisional);

/// <summary>
/// Reads 当日受理、次日对接、3日反馈 as DOMAIN.md does: the receipt day D0 is the day of receipt when that is a working
/// day and the clue came before close of business, otherwise the next working day; the start day is not counted
/// (民法典 第二百零一条) and a period ends at close of business (第二百零三条), so "n days" is D0 + n working days at
/// close of business. Pure: the calendar, zone and hours are given.
/// </summary>
public sealed class DeadlineCalculator(WorkingCalendar calendar, TimeZoneInfo zone, BusinessHours hours)
{
    // No arrangement has ever had more than nine rest days in a row; a longer search means broken calendar data.
    private const int MaxDaysSearched = 60;

    public WorkingCalendar Calendar => calendar;

    public TimeZoneInfo Zone => zone;

    /// <summary>The working time of one working day (7.5 hours with the default business hours).</summary>
    public TimeSpan WorkingDayLength { get; } = hours.Periods.Aggregate(TimeSpan.Zero, (sum, p) => sum + (p.End - p.Start));

    public DateTimeOffset ToLocal(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, zone);

    public ReceiptDay GetReceiptDay(DateTimeOffset receivedAt)
    {
        var local = ToLocal(receivedAt);
        var day = DateOnly.FromDateTime(local.DateTime);
        var today = calendar.Check(day);
        if (today.IsWorking && TimeOnly.FromDateTime(local.DateTime) < hours.CloseOfBusiness)
            return new ReceiptDay(day, today.Provisional);
        var (next, provisional) = NextWorkingDay(day);
        return new ReceiptDay(next, provisional || today.Provisional);
    }

    public Deadline GetDeadline(DateTimeOffset receivedAt, int workingDaysAfterReceipt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDaysAfterReceipt);
        var (day, provisional) = GetReceiptDay(receivedAt);
        for (var i = 0; i < workingDaysAfterReceipt; i++)
        {
            var (next, p) = NextWorkingDay(day);
            day = next;
            provisional |= p;
        }
        return new Deadline(AtLocal(day, hours.CloseOfBusiness), provisional);
    }

    public DateTimeOffset AtLocal(DateOnly day, TimeOnly time) => TimeZones.AtLocal(zone, day, time);

    /// <summary>
    /// The due time of a clock that starts at <paramref name="startedAt"/>: N working days at close of business, read
    /// like the receipt day (an event after close of business or on a rest day counts from the next working day);
    /// without close of business, the same time of day N working days later; or N hours of working time.
    /// </summary>
    public Deadline GetDeadline(DateTimeOffset startedAt, ClockDefinition rule)
    {
        if (rule.CalendarYears is { } years) return new Deadline(EndOfTerm(DateOnly.FromDateTime(ToLocal(startedAt).DateTime), years), false);
        if (rule.From != null) return WorkingDaysAfterDay(DateOnly.FromDateTime(ToLocal(startedAt).DateTime), rule.Days);
        if (rule.WorkingHours is { } hours) return Spanning(startedAt, AddWorkingTime(startedAt, TimeSpan.FromHours(hours)));
        if (rule.AtCloseOfBusiness) return GetDeadline(startedAt, rule.Days);
        return Spanning(startedAt, AddWorkingDays(startedAt, rule.Days));
    }

    /// <summary>
    /// A term of calendar years from a day: counting starts the next day (民法典 第二百零一条) and ends with the
    /// corresponding day, or the month's last day where there is none (第二百零二条: 2028-02-29 + 3 years ends 2031-02-28),
    /// at its midnight (第二百零三条). Rest days do not matter to a term of years.
    /// </summary>
    public DateTimeOffset EndOfTerm(DateOnly from, int years) => AtLocal(from.AddYears(years).AddDays(1), TimeOnly.MinValue);

    /// <summary>
    /// N working days counted from the day after <paramref name="day"/>, at close of business: "within 20 working days
    /// of the end of the 责令 deadline" counts from the deadline's next day whether or not the deadline was a working day.
    /// </summary>
    public Deadline WorkingDaysAfterDay(DateOnly day, int n)
    {
        var provisional = calendar.Check(day).Provisional;
        for (var i = 0; i < n; i++)
        {
            var (next, p) = NextWorkingDay(day);
            day = next;
            provisional |= p;
        }
        return new Deadline(AtLocal(day, hours.CloseOfBusiness), provisional);
    }

    /// <summary>A due time reached by counting from <paramref name="from"/>: provisional when any day on the way was estimated.</summary>
    public Deadline Spanning(DateTimeOffset from, DateTimeOffset due)
    {
        var (first, last) = (DateOnly.FromDateTime(ToLocal(from).DateTime), DateOnly.FromDateTime(ToLocal(due).DateTime));
        if (last < first) (first, last) = (last, first);
        for (var day = first; day <= last; day = day.AddDays(1))
            if (calendar.Check(day).Provisional) return new Deadline(due, true);
        return new Deadline(due, false);
    }

    /// <summary>
    /// The working time between two instants: only business periods of working days count. Negative when
    /// <paramref name="to"/> lies before <paramref name="from"/>. AddWorkingTime(from, result) lands on
    /// <paramref name="to"/> whenever <paramref name="to"/> lies inside business hours.
    /// </summary>
    public TimeSpan WorkingTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from) return -WorkingTimeBetween(to, from);
        var (a, b) = (ToLocal(from), ToLocal(to));
        var total = TimeSpan.Zero;
        for (var day = DateOnly.FromDateTime(a.DateTime); day <= DateOnly.FromDateTime(b.DateTime); day = day.AddDays(1))
        {
            if (!calendar.Check(day).IsWorking) continue;
            foreach (var period in hours.Periods)
            {
                var start = AtLocal(day, period.Start);
                var end = AtLocal(day, period.End);
                var overlapStart = start > a ? start : a;
                var overlapEnd = end < b ? end : b;
                if (overlapEnd > overlapStart) total += overlapEnd - overlapStart;
            }
        }
        return total;
    }


    /// <summary>
    /// Moves an instant by working time: only the business periods of working days count, so two working hours
    /// before 09:30 on a Monday is 15:30 on the Friday before (or the make-up Sunday before, if there is one).
    /// </summary>
    public DateTimeOffset AddWorkingTime(DateTimeOffset instant, TimeSpan delta)
    {
        if (delta == TimeSpan.Zero) return instant;
        var forward = delta > TimeSpan.Zero;
        var remaining = delta.Duration();
        var local = ToLocal(instant);
        var day = DateOnly.FromDateTime(local.DateTime);
        var time = local.TimeOfDay;
        for (var i = 0; i < MaxDaysSearched; i++)
        {
            if (calendar.Check(day).IsWorking)
            {
                foreach (var period in forward ? hours.Periods : hours.Periods.Reverse())
                {
                    var (start, end) = (period.Start.ToTimeSpan(), period.End.ToTimeSpan());
                    var from = forward ? Max(start, time) : start;
                    var to = forward ? end : Min(end, time);
                    if (to <= from) continue;
                    if (remaining <= to - from)
                        return AtLocal(day, TimeOnly.FromTimeSpan(forward ? from + remaining : to - remaining));
                    remaining -= to - from;
                }
            }
            day = day.AddDays(forward ? 1 : -1);
            time = forward ? TimeSpan.Zero : TimeSpan.FromDays(1);
        }
        throw new InvalidOperationException($"No working time within {MaxDaysSearched} days of {local:yyyy-MM-dd}: the calendar data is broken.");
    }

    /// <summary>The same local time of day, <paramref name="days"/> working days later (negative: earlier).</summary>
    public DateTimeOffset AddWorkingDays(DateTimeOffset instant, int days)
    {
        var local = ToLocal(instant);
        var day = DateOnly.FromDateTime(local.DateTime);
        for (var i = 0; i < Math.Abs(days); i++)
            day = StepToWorkingDay(day, days > 0 ? 1 : -1).Day;
        return AtLocal(day, TimeOnly.FromDateTime(local.DateTime));
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>The first working day after <paramref name="day"/>; provisional when any day looked at was.</summary>
    private (DateOnly Day, bool Provisional) NextWorkingDay(DateOnly day) => StepToWorkingDay(day, 1);

    private (DateOnly Day, bool Provisional) StepToWorkingDay(DateOnly day, int step)
    {
        var provisional = false;
        for (var i = 0; i < MaxDaysSearched; i++)
        {
            day = day.AddDays(step);
            var check = calendar.Check(day);
            provisional |= check.Provisional;
            if (check.IsWorking) return (day, provisional);
        }
        throw new InvalidOperationException($"No working day within {MaxDaysSearched} days after {day:yyyy-MM-dd}: the calendar data is broken.");
    }
}
