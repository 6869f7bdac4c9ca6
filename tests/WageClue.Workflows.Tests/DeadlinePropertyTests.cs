using FsCheck;
using FsCheck.Fluent;
using WageClue.Workflows.Sla;
using static WageClue.Workflows.Tests.TestData;

namespace WageClue.Workflows.Tests;

/// <summary>Laws every deadline obeys, checked over random receipt times in the published years 2024-2026.</summary>
public class DeadlinePropertyTests
{
    private static readonly DateTimeOffset Start = Local("2024-01-01T00:00:00");
    private static readonly DateTimeOffset End = Local("2026-12-20T00:00:00");

    private static Arbitrary<DateTimeOffset> Instants() =>
        Gen.Choose(0, (int)((End - Start).TotalMinutes)).Select(m => Start.AddMinutes(m)).ToArbitrary();

    [FsCheck.NUnit.Property(MaxTest = 400)]
    public Property Every_deadline_is_on_a_working_day_at_close_of_business() =>
        Prop.ForAll(Instants(), received =>
            ClockPlanner.Plan(Definition, Shipped, received).Clocks.All(c =>
                c.DueAt.Offset == TimeSpan.FromHours(8)
                && TimeOnly.FromDateTime(c.DueAt.DateTime) == new TimeOnly(17, 30)
                && Shipped.Check(DateOnly.FromDateTime(c.DueAt.DateTime)).IsWorking
                && c.DueAt > received - TimeSpan.FromDays(1)));

    [FsCheck.NUnit.Property(MaxTest = 400)]
    public Property A_later_receipt_never_gets_an_earlier_deadline() =>
        Prop.ForAll(Instants(), Gen.Choose(1, 60 * 24 * 10).ToArbitrary(), (received, laterMinutes) =>
        {
            var first = ClockPlanner.Plan(Definition, Shipped, received).Clocks;
            var second = ClockPlanner.Plan(Definition, Shipped, received.AddMinutes(laterMinutes)).Clocks;
            return first.Zip(second).All(p => p.Second.DueAt >= p.First.DueAt);
        });

    [FsCheck.NUnit.Property(MaxTest = 400)]
    public Property The_clocks_are_ordered_accept_then_connect_then_feedback() =>
        Prop.ForAll(Instants(), received =>
        {
            var c = ClockPlanner.Plan(Definition, Shipped, received).Clocks;
            return c[0].DueAt < c[1].DueAt && c[1].DueAt < c[2].DueAt;
        });
}
