using WageClue.Server.Features.Instances;
using Npgsql;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Calendar;

/// <summary>
/// After a calendar year is added or replaced: recomputes every running clock whose deadline could have depended on
/// that year (provisional ones, and those due on or after its first day), with each instance's own pinned
/// definition, and writes one history entry per instance that changed. Runs inside the caller's transaction.
/// A clock counts from its start, or from its last resume with the working time it had left, plus the working days
/// of its approved extensions. A paused clock has no due time to move: it is counted again when it resumes.
/// </summary>
public sealed class ClockRecomputer(WorkflowRegistry workflows)
{
    public async Task<int> RecomputeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, WorkingCalendar calendar, int year, long? actorId, DateTimeOffset now)
    {
        var yearStart = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)).ToUniversalTime(); // the earliest any zone starts that year
        var changedInstances = 0;
        foreach (var instance in (await ClockStore.RunningForRecomputeAsync(conn, tx, yearStart)).GroupBy(c => c.Clock.InstanceId))
        {
            var first = instance.First();
            var engine = workflows.Pinned(first.DefinitionId, first.DefinitionVersion);
            var math = new ClockMath(engine.Definition, calendar);
            var changes = new List<DueChange>();
            foreach (var (k, _, _, _) in instance)
            {
                var rule = engine.Definition.FindClock(k.Clock);
                if (rule == null) continue;
                var basis = k.ResumedAt is { } resumed
                    ? math.Calculator.Spanning(resumed, math.Calculator.AddWorkingTime(resumed, k.ResumedRemaining ?? TimeSpan.Zero))
                    : math.Calculator.GetDeadline(k.StartedAt, rule);
                var due = k.ExtensionDays > 0 ? math.Calculator.AddWorkingDays(basis.DueAt, k.ExtensionDays) : basis.DueAt;
                if (due == k.DueAt && basis.Provisional == k.Provisional) continue;
                // Levels already reached stay reached (each is sent once); the next one moves with the deadline.
                await ClockStore.SetDueAsync(conn, tx, k.Id, due, basis.Provisional, k.ExtensionDays > 0 && k.ResumedAt == null ? basis.DueAt : null,
                    math.NextPoint(rule, due, k.EscalationLevel));
                changes.Add(new DueChange(k.Clock, engine.ToLocal(k.DueAt), engine.ToLocal(due), k.Provisional, basis.Provisional, k.Round > 1 ? k.Round : null));
            }
            if (changes.Count == 0) continue;
            changedInstances++;
            await InstanceStore.SetCalendarVersionAsync(conn, tx, instance.Key, calendar.Version);
            await HistoryStore.AppendAsync(conn, tx, instance.Key, first.InstanceVersion, actorId, new Recomputed(year, calendar.Version, changes), now);
        }
        return changedInstances;
    }
}
