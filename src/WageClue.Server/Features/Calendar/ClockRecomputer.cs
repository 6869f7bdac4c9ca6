using System.Text.Json;
using Dapper;
using Npgsql;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Calendar;

/// <summary>
/// After a calendar year is added or replaced: recomputes every running clock whose deadline could have depended on
/// that year (provisional ones, and those due on or after its first day), with each clue's own pinned definition,
/// and writes one history entry per clue that changed. Runs inside the caller's transaction.
/// </summary>
public sealed class ClockRecomputer(WorkflowRegistry workflows)
{
    private sealed class OpenClock
    {
        public long ClueId { get; init; }
        public string Clock { get; init; } = "";
        public DateTimeOffset DueAt { get; init; }
        public bool Provisional { get; init; }
        public int EscalationLevel { get; init; }
        public DateTimeOffset ReceivedAt { get; init; }
        public string DefinitionId { get; init; } = "";
        public int DefinitionVersion { get; init; }
        public int Version { get; init; }
    }

    public async Task<int> RecomputeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, WorkingCalendar calendar, int year, long? actorId, DateTimeOffset now)
    {
        var yearStart = new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)).ToUniversalTime(); // the earliest any zone starts that year
        var clocks = await conn.QueryAsync<OpenClock>("""
            SELECT k.clue_id, k.clock, k.due_at, k.provisional, k.escalation_level, c.received_at, c.definition_id, c.definition_version, c.version
            FROM wageclue.clue_clocks k JOIN wageclue.clues c ON c.id = k.clue_id
            WHERE k.met_at IS NULL AND k.cancelled_at IS NULL AND (k.provisional OR k.due_at >= @yearStart)
            ORDER BY k.clue_id, k.clock
            FOR UPDATE OF k, c
            """, new { yearStart }, tx);

        var changedClues = 0;
        foreach (var clue in clocks.GroupBy(c => c.ClueId))
        {
            var first = clue.First();
            var definition = workflows.Pinned(first.DefinitionId, first.DefinitionVersion).Definition;
            var calculator = ClockPlanner.Calculator(definition, calendar);
            var ladder = ClockPlanner.Ladder(definition, calculator);
            var changes = new List<object>();
            foreach (var clock in clue)
            {
                var rule = definition.Clocks.Single(c => c.Id == clock.Clock);
                var deadline = calculator.GetDeadline(clock.ReceivedAt, rule.WorkingDaysAfterReceipt);
                if (deadline.DueAt == clock.DueAt && deadline.Provisional == clock.Provisional) continue;
                // Levels already reached stay reached (each is sent once); the next one moves with the deadline.
                await conn.ExecuteAsync("""
                    UPDATE wageclue.clue_clocks SET due_at = @DueAt, provisional = @Provisional, next_escalation_at = @next
                    WHERE clue_id = @ClueId AND clock = @Clock
                    """, new
                    {
                        DueAt = deadline.DueAt.ToUniversalTime(), deadline.Provisional, clock.ClueId, clock.Clock,
                        next = ladder.Next(deadline.DueAt, clock.EscalationLevel)?.At.ToUniversalTime(),
                    }, tx);
                changes.Add(new
                {
                    clock = clock.Clock,
                    dueBefore = calculator.ToLocal(clock.DueAt),
                    dueAfter = calculator.ToLocal(deadline.DueAt),
                    provisionalBefore = clock.Provisional,
                    provisionalAfter = deadline.Provisional,
                });
            }
            if (changes.Count == 0) continue;
            changedClues++;
            await conn.ExecuteAsync("UPDATE wageclue.clues SET calendar_version = @Version WHERE id = @ClueId", new { calendar.Version, ClueId = clue.Key }, tx);
            await conn.ExecuteAsync("""
                INSERT INTO wageclue.clue_history (clue_id, at, actor_id, kind, clue_version, data)
                VALUES (@ClueId, @now, @actorId, 'recomputed', @Version, @data::jsonb)
                """, new
                {
                    ClueId = clue.Key, now, actorId, first.Version,
                    data = JsonSerializer.Serialize(new { year, calendarVersion = calendar.Version, changes }, JsonSerializerOptions.Web),
                }, tx);
        }
        return changedClues;
    }
}
