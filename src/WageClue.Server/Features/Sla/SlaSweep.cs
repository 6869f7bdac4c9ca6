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
        var budget = Stopwatch.StartNew();
        // Several batches at once (Jobs:SweepParallelism): SKIP LOCKED gives each its own clocks, as it does to several nodes.
        var workers = await Task.WhenAll(Enumerable.Range(0, options.Value.SweepParallelism).Select(_ => SweepUntilDoneAsync(budget, cancel)));
        var total = workers.Aggregate(new SweepResult(0, 0, 0, 0), Add);
        if (total.EmailsQueued > 0) jobs.Enqueue<OutboxSender>(s => s.DrainAsync(CancellationToken.None));
        if (total.Clocks > 0)
            logger.LogInformation("SLA sweep: {Clocks} clocks, {Escalated} escalations, {Superseded} warnings superseded, {Emails} emails queued, {Periods} periods ended",
                total.Clocks, total.Escalated, total.Superseded, total.EmailsQueued, total.PeriodsEnded);
        return total;
    }

    /// <summary>Batch after batch until one comes back short (nothing more is due) or the run's time is spent.</summary>
    private async Task<SweepResult> SweepUntilDoneAsync(Stopwatch budget, CancellationToken cancel)
    {
        var total = new SweepResult(0, 0, 0, 0);
        while (!cancel.IsCancellationRequested && budget.Elapsed < options.Value.SweepTimeBudget)
        {
            var batch = await Infrastructure.Database.DatabaseRetry.RunAsync(async _ => await SweepBatchAsync(), cancel);
            total = Add(total, batch);
            if (batch.Clocks < options.Value.SweepBatchSize) break;
        }
        return total;
    }

    private static SweepResult Add(SweepResult a, SweepResult b) =>
        new(a.Clocks + b.Clocks, a.Escalated + b.Escalated, a.Superseded + b.Superseded, a.EmailsQueued + b.EmailsQueued, a.PeriodsEnded + b.PeriodsEnded);

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
        // Decided clock by clock in memory, then written with one statement per table for the whole batch: a storm's
        // batch of 200 is four round trips, not eight hundred.
        var points = new List<Point>();
        var clockUpdates = new List<ClockStore.EscalationUpdate>();
        var ended = 0;
        foreach (var k in due)
        {
            var engine = workflows.Pinned(k.DefinitionId, k.DefinitionVersion);
            if (engine.Definition.FindClock(k.Clock.Clock) is { IsPeriod: true } period)
            {
                if (await EndPeriodAsync(conn, tx, k, period, now, calendar)) ended++;
                continue;
            }
            var calculator = ClockPlanner.Calculator(engine.Definition, calendar);
            var step = ClockPlanner.Ladder(engine.Definition, calculator).Step(k.Clock.DueAt, k.Clock.EscalationLevel, now);
            points.AddRange(step.Superseded.Select(p => new Point(k, p, step, engine, calculator, Superseded: true)));
            points.AddRange(step.Escalate.Select(p => new Point(k, p, step, engine, calculator, Superseded: false)));
            clockUpdates.Add(new(k.Clock.Id, step.LevelReached, step.Next?.At));
        }

        var recorded = await RecordAsync(conn, tx, points, now); // only the points not recorded before: never twice
        var emailsToQueue = new List<QueuedEmail>();
        var history = new List<HistoryStore.NewEntry>();
        int escalated = 0, superseded = 0;
        foreach (var (k, point, step, engine, calculator, isSuperseded) in points)
        {
            if (!recorded.TryGetValue((k.Clock.Id, point.Level.Level), out var escalationId)) continue;
            if (isSuperseded)
            {
                superseded++;
                continue;
            }
            escalated++;
            var about = facts.GetValueOrDefault(k.Clock.InstanceId) ?? new SubjectFacts(k.Clock.InstanceId.ToString(System.Globalization.CultureInfo.InvariantCulture), "");
            var told = point.Level.Channels.Contains("email") ? recipients.Resolve(point.Level.Notify, k.DistrictId, k.AssigneeId) : [];
            var email = new EscalationFacts(k.Clock.InstanceId, about.Reference, about.Title, engine.StateName(k.State), k.DistrictName,
                k.AssigneeName, about.PersonName ?? "", about.PersonPhone ?? "",
                k.Clock.Clock, engine.ClockName(k.Clock.Clock), engine.ToLocal(k.Clock.DueAt), calculator.WorkingTimeBetween(k.Clock.DueAt, now), calculator.WorkingDayLength, k.Clock.Round,
                about.Path, about.Noun);
            emailsToQueue.AddRange(told.Select(to => emails.For(escalationId, email, point.Level, to)));
            var entry = new Escalated(k.Clock.Clock, point.Level.Level, point.Level.Name, engine.ToLocal(k.Clock.DueAt),
                told.Where(r => r.Email != null).Select(r => new Notified(r.Id, r.DisplayName)).ToList(),
                told.Where(r => r.Email == null).Select(r => new Notified(r.Id, r.DisplayName)).ToList(),
                step.Superseded.Select(p => p.Level.Id).ToList(), k.Clock.Round > 1 ? k.Clock.Round : null);
            history.Add(new(k.Clock.InstanceId, k.InstanceVersion, entry, point.Level.Id));
        }
        var queued = await Outbox.QueueManyAsync(conn, tx, emailsToQueue, now);
        await HistoryStore.AppendManyAsync(conn, tx, history, now);
        await ClockStore.UpdateEscalationsAsync(conn, tx, clockUpdates, now);
        await tx.CommitAsync();
        return new SweepResult(due.Count, escalated, superseded, queued, ended);
    }

    /// <summary>An escalation point a clock reached in this batch, with what its email and history entry are made from.</summary>
    private sealed record Point(DueClock K, EscalationPoint At, EscalationStep Step, WorkflowEngine Engine, DeadlineCalculator Calculator,
        bool Superseded);

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

    /// <returns>The new escalations' ids by (clock, level); a point recorded before (by another sweep) is not in it.</returns>
    private static async Task<Dictionary<(long ClockId, int Level), long>> RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx,
        IReadOnlyList<Point> points, DateTimeOffset now)
    {
        if (points.Count == 0) return [];
        var rows = await conn.QueryAsync<(long ClockId, int Level, long Id)>("""
            INSERT INTO wageclue.escalations (instance_id, clock_id, clock, level, level_id, district_id, due_at, point_at, recorded_at, superseded)
            SELECT instance_id, clock_id, clock, level, level_id, district_id, due_at, point_at, @now, superseded
            FROM unnest(@instanceIds, @clockIds, @clocks, @levels, @levelIds, @districtIds, @dueAts, @pointAts, @superseded)
                AS p(instance_id, clock_id, clock, level, level_id, district_id, due_at, point_at, superseded)
            ON CONFLICT (clock_id, level) DO NOTHING
            RETURNING clock_id, level, id
            """, new
            {
                instanceIds = points.Select(p => p.K.Clock.InstanceId).ToArray(), clockIds = points.Select(p => p.K.Clock.Id).ToArray(),
                clocks = points.Select(p => p.K.Clock.Clock).ToArray(), levels = points.Select(p => p.At.Level.Level).ToArray(),
                levelIds = points.Select(p => p.At.Level.Id).ToArray(), districtIds = points.Select(p => p.K.DistrictId).ToArray(),
                dueAts = points.Select(p => p.K.Clock.DueAt.UtcDateTime).ToArray(), pointAts = points.Select(p => p.At.At.UtcDateTime).ToArray(),
                superseded = points.Select(p => p.Superseded).ToArray(), now,
            }, tx);
        return rows.ToDictionary(r => (r.ClockId, r.Level), r => r.Id);
    }
}
