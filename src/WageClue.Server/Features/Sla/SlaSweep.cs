using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Notifications;
using WageClue.Workflows.Engine;
using WageClue.Server.Infrastructure.Jobs;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Sla;

/// <param name="PeriodsEnded">Periods whose action the sweep fired (an objection window closed, a listing's term ended).</param>
public sealed record SweepResult(int Clocks, int Escalated, int Superseded, int EmailsQueued, int PeriodsEnded = 0);

/// <summary>
/// The recurring SLA sweep (ARCHITECTURE.md): claims clocks whose next escalation point has come, a batch per
/// transaction with FOR UPDATE SKIP LOCKED, and in that transaction records each escalation, writes the clue's
/// history, marks the clock overdue and queues the emails. Any number of servers may sweep at once: a clock is held
/// by one of them at a time, and (clue, clock, level) is unique, so every escalation happens once.
/// </summary>
public sealed class SlaSweep(NpgsqlDataSource db, WorkflowRegistry workflows, CalendarStore calendars, JobClock clock, WorkflowSubjects subjects,
    EscalationEmails emails, IBackgroundJobClient jobs, IOptions<JobsOptions> options, ILogger<SlaSweep> logger)
{
    public const string RecurringJobId = "sla-sweep";

    // Overlapping runs (a slow run, several servers) are safe, so no Hangfire lock; the next run is the retry.
    [AutomaticRetry(Attempts = 0)]
    public async Task<SweepResult> RunAsync(CancellationToken cancel = default)
    {
        var total = new SweepResult(0, 0, 0, 0);
        var budget = Stopwatch.StartNew();
        while (!cancel.IsCancellationRequested && budget.Elapsed < options.Value.SweepTimeBudget)
        {
            var batch = await Infrastructure.Database.DatabaseRetry.RunAsync(async _ => await SweepBatchAsync(), cancel);
            total = new SweepResult(total.Clocks + batch.Clocks, total.Escalated + batch.Escalated,
                total.Superseded + batch.Superseded, total.EmailsQueued + batch.EmailsQueued, total.PeriodsEnded + batch.PeriodsEnded);
            if (batch.Clocks < options.Value.SweepBatchSize) break;
        }
        if (total.EmailsQueued > 0) jobs.Enqueue<OutboxSender>(s => s.DrainAsync(CancellationToken.None));
        if (total.Clocks > 0)
            logger.LogInformation("SLA sweep: {Clocks} clocks, {Escalated} escalations, {Superseded} warnings superseded, {Emails} emails queued, {Periods} periods ended",
                total.Clocks, total.Escalated, total.Superseded, total.EmailsQueued, total.PeriodsEnded);
        return total;
    }

    private async Task<SweepResult> SweepBatchAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // Deadlines are not recomputed under our feet: an upload of a calendar year waits for this batch, and back.
        await CalendarRepository.LockSharedAsync(conn, tx);
        var now = await clock.NowAsync(conn, tx);
        var due = await ClockStore.ClaimDueAsync(conn, tx, now, options.Value.SweepBatchSize);
        if (due.Count == 0) return new SweepResult(0, 0, 0, 0);

        var calendar = await calendars.GetAsync(conn, tx);
        var facts = await subjects.FactsAsync(conn, tx, due.Select(d => (d.Clock.InstanceId, d.Subject)));
        var recipients = await RecipientDirectory.LoadAsync(conn, tx);
        int escalated = 0, superseded = 0, queued = 0, ended = 0;
        foreach (var k in due)
        {
            var engine = workflows.Pinned(k.DefinitionId, k.DefinitionVersion);
            if (engine.Definition.FindClock(k.Clock.Clock) is { IsPeriod: true } period)
            {
                if (await EndPeriodAsync(conn, tx, k, period, now, calendar)) ended++;
                continue;
            }
            var calculator = ClockPlanner.Calculator(engine.Definition, calendar);
            var ladder = ClockPlanner.Ladder(engine.Definition, calculator);
            var step = ladder.Step(k.Clock.DueAt, k.Clock.EscalationLevel, now);
            var about = facts.GetValueOrDefault(k.Clock.InstanceId) ?? new SubjectFacts(k.Clock.InstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture), "");

            foreach (var point in step.Superseded)
                if (await RecordAsync(conn, tx, k, point, now, superseded: true) != null) superseded++;

            foreach (var point in step.Escalate)
            {
                var escalationId = await RecordAsync(conn, tx, k, point, now, superseded: false);
                if (escalationId == null) continue; // recorded before: never twice
                escalated++;
                var told = point.Level.Channels.Contains("email")
                    ? recipients.Resolve(point.Level.Notify, k.DistrictId, k.AssigneeId)
                    : [];
                var email = new EscalationFacts(k.Clock.InstanceId, about.Reference, about.Title, engine.StateName(k.State), k.DistrictName,
                    k.AssigneeName, about.PersonName ?? "", about.PersonPhone ?? "",
                    k.Clock.Clock, engine.ClockName(k.Clock.Clock), engine.ToLocal(k.Clock.DueAt), calculator.WorkingTimeBetween(k.Clock.DueAt, now), calculator.WorkingDayLength, k.Clock.Round,
                    about.Path, about.Noun);
                foreach (var to in told)
                    if (await Outbox.QueueAsync(conn, tx, emails.For(escalationId.Value, email, point.Level, to), now)) queued++;
                var entry = new Escalated(k.Clock.Clock, point.Level.Level, point.Level.Name, engine.ToLocal(k.Clock.DueAt),
                    told.Where(r => r.Email != null).Select(r => new Notified(r.Id, r.DisplayName)).ToList(),
                    told.Where(r => r.Email == null).Select(r => new Notified(r.Id, r.DisplayName)).ToList(),
                    step.Superseded.Select(p => p.Level.Id).ToList(), k.Clock.Round > 1 ? k.Clock.Round : null);
                await HistoryStore.AppendAsync(conn, tx, k.Clock.InstanceId, k.InstanceVersion, null, entry, now, action: point.Level.Id);
            }

            await ClockStore.UpdateEscalationAsync(conn, tx, k.Clock.Id, step.LevelReached, step.Next?.At, now);
        }
        await tx.CommitAsync();
        return new SweepResult(due.Count, escalated, superseded, queued, ended);
    }

    /// <summary>
    /// A period ran out (an objection window, a listing's term): its action is fired as the system, through the same
    /// path as a user's, in this transaction. Once written the action has met the clock; if the instance moved on
    /// concurrently, the clock stays due and the next sweep tries again; if the action no longer applies, the
    /// clock is left alone and not looked at again.
    /// </summary>
    private async Task<bool> EndPeriodAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DueClock k, ClockDefinition period, DateTimeOffset now,
        WageClue.Workflows.Calendar.WorkingCalendar calendar)
    {
        // The sweep holds the clock; a user's action holds the instance first and then waits for its clocks. Taking the
        // instance only if free keeps the two from deadlocking: a busy instance is tried again by the next sweep.
        if (!await InstanceStore.TryLockAsync(conn, tx, k.Clock.InstanceId)) return false;
        var fired = await subjects[k.Subject].FireAsSystemAsync(conn, tx, k.Clock.InstanceId, period.OnDue!, now, calendar);
        switch (fired)
        {
            case Fired.Written:
                return true;
            case Fired.VersionMovedOn:
                return false;
            default:
                logger.LogWarning("Period {Clock} of instance {Instance} ran out but {Action} does not apply: {Outcome}",
                    k.Clock.Clock, k.Clock.InstanceId, period.OnDue, fired);
                await ClockStore.UpdateEscalationAsync(conn, tx, k.Clock.Id, k.Clock.EscalationLevel, null, now);
                return false;
        }
    }

    /// <returns>The new escalation's id, or null when this (clock round, level) was recorded before.</returns>
    private static Task<long?> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, DueClock k, EscalationPoint point, DateTimeOffset now, bool superseded) =>
        conn.ExecuteScalarAsync<long?>("""
            INSERT INTO wageclue.escalations (instance_id, clock_id, clock, level, level_id, district_id, due_at, point_at, recorded_at, superseded)
            VALUES (@InstanceId, @ClockId, @Clock, @Level, @LevelId, @DistrictId, @DueAt, @PointAt, @now, @superseded)
            ON CONFLICT (clock_id, level) DO NOTHING
            RETURNING id
            """, new
            {
                k.Clock.InstanceId, ClockId = k.Clock.Id, k.Clock.Clock, point.Level.Level, LevelId = point.Level.Id, k.DistrictId,
                DueAt = k.Clock.DueAt.ToUniversalTime(), PointAt = point.At.ToUniversalTime(), now, superseded,
            }, tx);
}
