using System.Globalization;
using WageClue.Workflows.Sla;
using static WageClue.Workflows.Tests.TestData;

namespace WageClue.Workflows.Tests;

public class EscalationLadderTests
{
    private static string Show(DateTimeOffset at) => Calculator().ToLocal(at).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static EscalationLadder Ladder => ClockPlanner.Ladder(Definition, Calculator());

    // Working time skips nights, the lunch break, weekends and holidays, and counts make-up working days.
    [TestCase("2026-11-25T17:30:00", -2, "2026-11-25 15:30", TestName = "Two working hours before close of business")]
    [TestCase("2026-11-25T14:30:00", -2, "2026-11-25 11:00", TestName = "Over the lunch break")]
    [TestCase("2026-11-30T09:30:00", -2, "2026-11-27 16:30", TestName = "Monday morning back into Friday afternoon")]
    [TestCase("2026-10-08T09:00:00", -2, "2026-09-30 16:00", TestName = "Back over the National Day holiday")]
    [TestCase("2026-02-13T17:00:00", 1, "2026-02-14 09:00", TestName = "Forward into the make-up Saturday")]
    [TestCase("2026-11-25T12:00:00", 2, "2026-11-25 15:30", TestName = "Forward from the end of a period")]
    [TestCase("2026-11-28T10:00:00", -1, "2026-11-27 16:30", TestName = "From inside a rest day")]
    public void Working_time_is_counted_on_the_calendar(string fromLocal, int hours, string expected)
    {
        Assert.That(Show(Calculator().AddWorkingTime(Local(fromLocal), TimeSpan.FromHours(hours))), Is.EqualTo(expected));
    }

    [TestCase("2026-11-25T17:30:00", 1, "2026-11-26 17:30")]
    [TestCase("2026-11-27T17:30:00", 1, "2026-11-30 17:30")]
    [TestCase("2026-09-30T17:30:00", 1, "2026-10-08 17:30")]
    [TestCase("2026-10-09T17:30:00", 1, "2026-10-10 17:30")]
    [TestCase("2026-10-08T17:30:00", -1, "2026-09-30 17:30")]
    public void Working_days_keep_the_time_of_day(string fromLocal, int days, string expected)
    {
        Assert.That(Show(Calculator().AddWorkingDays(Local(fromLocal), days)), Is.EqualTo(expected));
    }

    [Test]
    public void The_shipped_ladder_warns_two_working_hours_before_breaches_at_and_goes_up_one_working_day_after()
    {
        var points = Ladder.Points(Local("2026-09-30T17:30:00"));
        Assert.That(points.Select(p => $"{p.Level.Id} {Show(p.At)}"),
            Is.EqualTo(new[] { "warning 2026-09-30 15:30", "breach 2026-09-30 17:30", "second-level 2026-10-08 17:30" }));
    }

    [Test]
    public void Before_the_warning_nothing_happens_and_the_warning_is_next()
    {
        var step = Ladder.Step(Local("2026-11-25T17:30:00"), 0, Local("2026-11-25T15:29:00"));
        Assert.That((step.Escalate.Count, step.Superseded.Count, step.LevelReached, step.Next?.Level.Id), Is.EqualTo((0, 0, 0, "warning")));
    }

    [Test]
    public void At_the_warning_point_the_warning_is_sent_and_the_breach_is_next()
    {
        var step = Ladder.Step(Local("2026-11-25T17:30:00"), 0, Local("2026-11-25T15:30:00"));
        Assert.That((Ids(step.Escalate), step.LevelReached, step.Next?.Level.Id), Is.EqualTo(("warning", 1, "breach")));
    }

    [Test]
    public void A_warning_still_unsent_at_the_deadline_is_superseded_by_the_breach()
    {
        var step = Ladder.Step(Local("2026-11-25T17:30:00"), 0, Local("2026-11-25T17:31:00"));
        Assert.That((Ids(step.Escalate), Ids(step.Superseded), step.LevelReached, step.Next?.Level.Id),
            Is.EqualTo(("breach", "warning", 2, "second-level")));
    }

    [Test]
    public void After_a_long_outage_every_level_past_the_deadline_is_due_once()
    {
        var step = Ladder.Step(Local("2026-11-25T17:30:00"), 0, Local("2026-11-30T09:00:00"));
        Assert.That((Ids(step.Escalate), Ids(step.Superseded), step.LevelReached, step.Next), Is.EqualTo(("breach,second-level", "warning", 3, (EscalationPoint?)null)));
    }

    [Test]
    public void Levels_already_reached_are_never_due_again()
    {
        var step = Ladder.Step(Local("2026-11-25T17:30:00"), 2, Local("2026-11-25T18:00:00"));
        Assert.That((step.Escalate.Count, step.Superseded.Count, step.LevelReached, step.Next?.Level.Id), Is.EqualTo((0, 0, 2, "second-level")));
    }

    [Test]
    public void A_planned_clock_starts_at_its_warning()
    {
        var plan = ClockPlanner.Plan(Definition, Shipped, Local("2026-11-25T09:05:00"));
        Assert.That(plan.Clocks.Select(c => Show(c.FirstEscalationAt!.Value)),
            Is.EqualTo(new[] { "2026-11-25 15:30", "2026-11-26 15:30", "2026-11-30 15:30" }));
    }

    private static string Ids(IEnumerable<EscalationPoint> points) => string.Join(",", points.Select(p => p.Level.Id));
}
