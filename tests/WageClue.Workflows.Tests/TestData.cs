using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Workflows.Tests;

/// <summary>The files the project ships (copied beside the test binaries), so tests exercise the real definition and calendar.</summary>
internal static class TestData
{
    public static string WorkflowsDirectory => Path.Combine(AppContext.BaseDirectory, "workflows");

    public static readonly WorkingCalendar Shipped = new(
        CalendarFile.Parse(File.ReadAllText(Path.Combine(WorkflowsDirectory, "calendars", "cn-workcalendar.json"))), version: 1);

    public static readonly WorkflowRegistry Registry = WorkflowDefinitionLoader.LoadDirectory(WorkflowsDirectory);

    public static WorkflowDefinition Definition => Registry.Latest("wage-arrears-clue").Definition;

    public static DeadlineCalculator Calculator(WorkingCalendar? calendar = null) => ClockPlanner.Calculator(Definition, calendar ?? Shipped);

    public static DateTimeOffset Local(string isoLocal) => DateTimeOffset.Parse(isoLocal + "+08:00", System.Globalization.CultureInfo.InvariantCulture);
}
