using System.Globalization;
using Dapper;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Sla;
using WageClue.Server.Infrastructure.Jobs;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Sla;
using WageClue.Server.Infrastructure;

namespace WageClue.Server.Features.Notifications;

public sealed record DigestResult(bool Ran, int EmailsQueued);

/// <summary>
/// The morning digest (DOMAIN.md): on each working day of the calendar, make-up days included, at the definition's
/// time, every supervisor gets one email with the overdue and due-today clues of their districts, most overdue first.
/// Hangfire fires it every day at that time; the calendar decides here whether today counts. The outbox's unique key
/// (day, recipient) keeps a second run of the same day from sending anything twice.
/// </summary>
public sealed class DailyDigest(NpgsqlDataSource db, ClueWorkflow workflow, WorkflowRegistry workflows, CalendarStore calendars, WorkflowSubjects subjects,
    JobClock clock, EmailTemplates templates, IBackgroundJobClient jobs, IOptions<EmailOptions> options, ILogger<DailyDigest> logger)
{
    public const string RecurringJobId = "daily-digest";

    /// <summary>Rows listed per email; the rest are counted, and the dashboard has them all.</summary>
    public const int MaxListed = 100;

    [AutomaticRetry(Attempts = 3)]
    public async Task<DigestResult> RunAsync()
    {
        var engine = workflow.CurrentEngine;
        var digest = engine.Definition.Digest;
        if (digest == null) return new DigestResult(false, 0);

        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var now = await clock.NowAsync(conn, tx);
        var calculator = ClockPlanner.Calculator(engine.Definition, await calendars.GetAsync(conn, tx));
        var local = calculator.ToLocal(now);
        var today = DateOnly.FromDateTime(local.DateTime);
        if (digest.WorkingDaysOnly && !calculator.Calendar.Check(today).IsWorking)
        {
            logger.LogInformation("Daily digest: {Day} is not a working day; nothing sent", today);
            return new DigestResult(false, 0);
        }
        if (TimeOnly.FromDateTime(local.DateTime) < TimeOnly.ParseExact(digest.At, "HH:mm", CultureInfo.InvariantCulture))
            return new DigestResult(false, 0); // started by hand before its time: the scheduled run will come

        var endOfDay = calculator.AtLocal(today.AddDays(1), TimeOnly.MinValue);
        var readers = Readers(await RecipientDirectory.LoadAsync(conn, tx), digest.Notify);
        // The digest is of clues; a listing case's deadlines reach supervisors by the ladder and the dashboard.
        var open = (await ClockStore.RunningDueBeforeAsync(conn, tx, endOfDay, ClueSubject.Name))
            .DistinctBy(k => k.Clock.InstanceId) // an instance once, under its most urgent clock
            .ToList();
        var facts = await subjects.FactsAsync(conn, tx, open.Select(k => (k.Clock.InstanceId, k.Subject)));

        var queued = 0;
        foreach (var (reader, districts) in readers)
        {
            var mine = open.Where(k => districts == null || districts.Contains(k.DistrictId)).ToList();
            if (mine.Count == 0) continue; // nothing to report: no email
            var content = templates.Render(EmailTemplates.Digest, Model(reader, today, mine, facts, now, calculator));
            var email = new QueuedEmail(EmailKinds.Digest, null, today, reader, content,
                MessageIds.ForDigest(today, reader.Id, options.Value.ResolvedMessageIdDomain));
            if (await Outbox.QueueAsync(conn, tx, email, now)) queued++;
        }
        await tx.CommitAsync();
        if (queued > 0) jobs.Enqueue<OutboxSender>(s => s.DrainAsync(CancellationToken.None));
        logger.LogInformation("Daily digest for {Day}: {Count} emails queued", today, queued);
        return new DigestResult(true, queued);
    }

    /// <summary>Who reads the digest and which districts each sees (null: all of them).</summary>
    private static List<(Recipient Reader, IReadOnlyList<string>? Districts)> Readers(RecipientDirectory directory, IReadOnlyList<string> audiences)
    {
        var readers = new List<(Recipient, IReadOnlyList<string>?)>();
        foreach (var audience in audiences)
        {
            if (audience == Audiences.DistrictSupervisors)
                readers.AddRange(directory.SupervisorsWithDistricts().Select(s => (s.Supervisor, (IReadOnlyList<string>?)s.Districts)));
            else if (audience == Audiences.Leaders)
                readers.AddRange(directory.Resolve([Audiences.Leaders], "", null).Select(l => (l, (IReadOnlyList<string>?)null)));
        }
        return readers.DistinctBy(r => r.Item1.Id).ToList();
    }

    private Dictionary<string, object?> Model(Recipient reader, DateOnly today, List<DueClock> clocks, IReadOnlyDictionary<long, SubjectFacts> facts, DateTimeOffset now,
        WageClue.Workflows.Sla.DeadlineCalculator calculator)
    {
        Dictionary<string, object?> Row(DueClock k)
        {
            var engine = workflows.Pinned(k.DefinitionId, k.DefinitionVersion);
            var about = facts.GetValueOrDefault(k.Clock.InstanceId) ?? new SubjectFacts("", "");
            var row = EscalationEmails.ClueModel(k.Clock.InstanceId, about.Reference, about.Title, engine.StateName(k.State), k.DistrictName,
                k.AssigneeName, options.Value.BaseUrl);
            row["clock"] = engine.ClockName(k.Clock.Clock);
            row["due_at"] = Display.Time(engine.ToLocal(k.Clock.DueAt));
            // In working time, as the deadline was counted and as the pages show it.
            row["overdue_by"] = k.Clock.DueAt <= now ? Display.WorkingTime(calculator, k.Clock.DueAt, now) : "";
            return row;
        }
        var overdue = clocks.Where(k => k.Clock.DueAt <= now).ToList();
        var dueToday = clocks.Where(k => k.Clock.DueAt > now).ToList();
        return new Dictionary<string, object?>
        {
            ["recipient"] = new Dictionary<string, object?> { ["name"] = reader.DisplayName },
            ["date"] = Display.Day(today),
            ["overdue"] = overdue.Take(MaxListed).Select(Row).ToList(),
            ["overdue_count"] = overdue.Count,
            ["due_today"] = dueToday.Take(MaxListed).Select(Row).ToList(),
            ["due_today_count"] = dueToday.Count,
            ["not_listed"] = Math.Max(0, overdue.Count - MaxListed) + Math.Max(0, dueToday.Count - MaxListed),
            ["base_url"] = options.Value.BaseUrl,
        };
    }
}
