using WageClue.Workflows.Calendar;
using WageClue.Workflows.Sla;
using static WageClue.Workflows.Tests.TestData;

namespace WageClue.Workflows.Tests;

public class DeadlineTests
{
    private static (string Accept, string Connect, string Feedback, bool Provisional) Plan(DateTimeOffset receivedAt, WorkingCalendar? calendar = null)
    {
        var plan = ClockPlanner.Plan(Definition, calendar ?? Shipped, receivedAt);
        string At(string clock) => plan.Clocks.Single(c => c.Clock == clock).DueAt.ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture);
        return (At("accept"), At("connect"), At("feedback"), plan.Clocks.Any(c => c.Provisional));
    }

    [Test]
    public void The_worked_example_of_DOMAIN_md_after_hours_before_the_National_Day_holiday()
    {
        var plan = Plan(Local("2026-09-30T19:00:00"));
        Assert.That(plan, Is.EqualTo(("2026-10-08 17:30 +08:00", "2026-10-09 17:30 +08:00", "2026-10-12 17:30 +08:00", false)));
    }

    // Each 2026 holiday block and make-up working day of 国办发明电〔2025〕7号, crossed by real receipt times.
    [TestCase("2025-12-31T18:00:00", "2026-01-04 17:30 +08:00", "2026-01-05 17:30 +08:00", "2026-01-07 17:30 +08:00", TestName = "New Year: after hours on 12-31, D0 is the make-up Sunday 01-04")]
    [TestCase("2026-02-13T10:00:00", "2026-02-13 17:30 +08:00", "2026-02-14 17:30 +08:00", "2026-02-25 17:30 +08:00", TestName = "Spring Festival: connect on the make-up Saturday 02-14, feedback after the nine days off")]
    [TestCase("2026-02-27T10:00:00", "2026-02-27 17:30 +08:00", "2026-02-28 17:30 +08:00", "2026-03-03 17:30 +08:00", TestName = "Spring Festival: make-up Saturday 02-28 counts")]
    [TestCase("2026-04-03T17:31:00", "2026-04-07 17:30 +08:00", "2026-04-08 17:30 +08:00", "2026-04-10 17:30 +08:00", TestName = "Qingming: after hours on Friday, Monday 04-06 is off")]
    [TestCase("2026-04-30T09:00:00", "2026-04-30 17:30 +08:00", "2026-05-06 17:30 +08:00", "2026-05-08 17:30 +08:00", TestName = "Labour Day: 05-01 to 05-05 off")]
    [TestCase("2026-05-07T10:00:00", "2026-05-07 17:30 +08:00", "2026-05-08 17:30 +08:00", "2026-05-11 17:30 +08:00", TestName = "Labour Day: make-up Saturday 05-09 counts")]
    [TestCase("2026-06-18T16:00:00", "2026-06-18 17:30 +08:00", "2026-06-22 17:30 +08:00", "2026-06-24 17:30 +08:00", TestName = "Dragon Boat: Friday 06-19 off")]
    [TestCase("2026-09-19T10:00:00", "2026-09-20 17:30 +08:00", "2026-09-21 17:30 +08:00", "2026-09-23 17:30 +08:00", TestName = "Mid-Autumn: received on a Saturday, D0 is the make-up Sunday 09-20")]
    [TestCase("2026-09-24T10:00:00", "2026-09-24 17:30 +08:00", "2026-09-28 17:30 +08:00", "2026-09-30 17:30 +08:00", TestName = "Mid-Autumn: Friday 09-25 off")]
    [TestCase("2026-10-09T10:00:00", "2026-10-09 17:30 +08:00", "2026-10-10 17:30 +08:00", "2026-10-13 17:30 +08:00", TestName = "National Day: make-up Saturday 10-10 counts")]
    public void Deadlines_follow_the_2026_holiday_arrangement(string receivedLocal, string accept, string connect, string feedback)
    {
        Assert.That(Plan(Local(receivedLocal)), Is.EqualTo((accept, connect, feedback, false)));
    }

    [Test]
    public void Every_2026_holiday_is_a_rest_day_and_every_make_up_day_a_working_day()
    {
        var year = Shipped.Years.Single(y => y.Year == 2026);
        Assert.Multiple(() =>
        {
            foreach (var day in year.Holidays) Assert.That(Shipped.Check(day), Is.EqualTo(new WorkingDay(false, false)), day.ToString());
            foreach (var day in year.Workdays) Assert.That(Shipped.Check(day), Is.EqualTo(new WorkingDay(true, false)), day.ToString());
            Assert.That(year.Holidays, Has.Count.EqualTo(19));
            Assert.That(year.Workdays, Has.Count.EqualTo(6));
        });
    }

    [TestCase("2026-11-25T08:00:00", "2026-11-25", TestName = "Before opening on a working day: that day")]
    [TestCase("2026-11-25T17:29:59", "2026-11-25", TestName = "One second before close of business: that day")]
    [TestCase("2026-11-25T17:30:00", "2026-11-26", TestName = "At close of business: the next working day")]
    [TestCase("2026-11-27T23:59:00", "2026-11-30", TestName = "Friday night: Monday")]
    [TestCase("2026-11-28T10:00:00", "2026-11-30", TestName = "An ordinary Saturday: Monday")]
    public void The_receipt_day_depends_on_close_of_business(string receivedLocal, string receiptDay)
    {
        Assert.That(Calculator().GetReceiptDay(Local(receivedLocal)).Day, Is.EqualTo(DateOnly.Parse(receiptDay, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void A_UTC_receipt_time_is_read_in_Shanghai_time()
    {
        var utc = DateTimeOffset.Parse("2026-09-30T11:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Plan(utc), Is.EqualTo(Plan(Local("2026-09-30T19:00:00"))));
        var justBeforeClose = DateTimeOffset.Parse("2026-11-25T09:29:59Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(Calculator().GetReceiptDay(justBeforeClose).Day, Is.EqualTo(new DateOnly(2026, 11, 25)));
    }

    [Test]
    public void Deadlines_come_back_with_the_plus_eight_offset()
    {
        var due = Calculator().GetDeadline(DateTimeOffset.Parse("2026-11-25T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture), 0).DueAt;
        Assert.That(due.Offset, Is.EqualTo(TimeSpan.FromHours(8)));
    }

    [Test]
    public void A_deadline_reaching_into_a_year_without_data_is_provisional()
    {
        var plan = ClockPlanner.Plan(Definition, Shipped, Local("2026-12-30T10:00:00"));
        Assert.Multiple(() =>
        {
            Assert.That(plan.Clocks.Single(c => c.Clock == "accept").Provisional, Is.False);
            Assert.That(plan.Clocks.Single(c => c.Clock == "connect").Provisional, Is.False);
            var feedback = plan.Clocks.Single(c => c.Clock == "feedback");
            Assert.That(feedback.Provisional, Is.True);
            // 12-31 (1), 2027-01-01 statutory New Year's Day, the weekend, 01-04 (2), 01-05 (3).
            Assert.That(feedback.DueAt, Is.EqualTo(Local("2027-01-05T17:30:00")));
        });
    }

    [Test]
    public void Without_any_calendar_data_every_deadline_is_provisional_and_still_skips_weekends()
    {
        var empty = new WorkingCalendar([], 0);
        var plan = Plan(Local("2026-11-27T10:00:00"), empty);
        Assert.That(plan, Is.EqualTo(("2026-11-27 17:30 +08:00", "2026-11-30 17:30 +08:00", "2026-12-02 17:30 +08:00", true)));
    }

    [Test]
    public void The_statutory_estimate_agrees_with_the_published_2026_holidays()
    {
        // The estimate (for unpublished years) must contain every statutory date the State Council then kept in 2026.
        var estimate = StatutoryHolidayEstimateProbe.For(2026);
        var expected = new[] { "2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-05-01", "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-02" }
            .Select(d => DateOnly.Parse(d, System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(estimate, Is.SupersetOf(expected));
    }

    [Test]
    public void The_statutory_estimate_for_2027_finds_the_lunar_holidays()
    {
        var estimate = StatutoryHolidayEstimateProbe.For(2027);
        // 春节 2027-02-06 (eve 02-05), 端午 2027-06-09, 中秋 2027-09-15, 清明 2027-04-05.
        var expected = new[] { "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05", "2027-06-09", "2027-09-15" }
            .Select(d => DateOnly.Parse(d, System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(estimate, Is.SupersetOf(expected));
    }

    [Test]
    public void A_calendar_year_with_a_weekend_holiday_or_a_weekday_make_up_day_is_refused()
    {
        var year = new CalendarYear(2027, new HashSet<DateOnly> { new(2027, 1, 2) }, new HashSet<DateOnly> { new(2027, 1, 4), new(2028, 1, 1) });
        var problems = year.Validate();
        Assert.That(problems.Select(p => p.Field), Is.EquivalentTo(new[] { "holidays", "workdays", "workdays" }));
    }
}

internal static class StatutoryHolidayEstimateProbe
{
    public static IReadOnlySet<DateOnly> For(int year) => StatutoryHolidayEstimate.For(year);
}
