using Dapper;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Instances;
using WageClue.Server.Infrastructure.Jobs;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Dashboard;

/// <summary>
/// Rebuilds the dashboards' summaries: counts of clues by district and state, and per local day, district and clock
/// how many clocks fell due before the rebuild and how many were met in time (today's row holds what fell due so
/// far). A clock already due cannot become "in time" any more, so the summary of it stays right until the clock is
/// cancelled, paused or extended, which a rebuild of its day picks up; the dashboards count live only what fell due
/// since (DashboardQueries), a few minutes of deadlines at most.
/// Every 5 minutes (Jobs:StatsCron) the days of the last Jobs:StatsRecentDays are counted again, and every day since
/// the summary's end if that is earlier (a service that was away); every night (Jobs:StatsFullCron) every day. A
/// change to a clock due before the recent days (a clue merged or an extension granted long after) therefore shows
/// on the dashboards after the night's rebuild: the province benchmark found the full rebuild at 26-34 s for 10
/// million clues, too much for every 5 minutes (README, "Province run"). One transaction, so a reader sees the old summary or
/// the new one, never half; one rebuild at a time across nodes.
/// </summary>
public sealed class StatsRefresh(NpgsqlDataSource db, ClueWorkflow workflow, JobClock clock, IOptions<JobsOptions> options, ILogger<StatsRefresh> logger)
{
    public const string RecurringJobId = "dashboard-stats";

    public const string FullRecurringJobId = "dashboard-stats-full";

    /// <summary>The recent days (and any gap since the summary's end).</summary>
    [AutomaticRetry(Attempts = 0)] // the next run is the retry
    public Task RunAsync() => Infrastructure.Database.DatabaseRetry.RunAsync(async _ => await RebuildOnceAsync(options.Value.StatsRecentDays)).AsTask();

    /// <summary>Every day the summary covers.</summary>
    [AutomaticRetry(Attempts = 0)] // the next night's run, and the recent days every 5 minutes meanwhile
    public Task RunFullAsync() => Infrastructure.Database.DatabaseRetry.RunAsync(async _ => await RebuildOnceAsync(null)).AsTask();

    private async Task RebuildOnceAsync(int? recentDays)
    {
        var engine = workflow.CurrentEngine;
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var now = await clock.NowAsync(conn, tx);
        var daysUntil = await RebuildAsync(conn, tx, engine.Definition.TimeZone, now, recentDays);
        await tx.CommitAsync();
        logger.LogDebug("Dashboard summaries rebuilt up to {Until} ({Days} days)", daysUntil, recentDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "all");
    }

    /// <summary>
    /// The rebuild itself, in the caller's transaction (the benchmark times it): of the recent days, or with
    /// <paramref name="recentDays"/> null of every day. Returns the summary's end.
    /// </summary>
    /// <remarks>
    /// The summary ends at the rebuild's moment, not at midnight: on the day of a close-of-business storm the clocks
    /// due today are hundreds of thousands, and the benchmark found counting them live on every view at 160 ms.
    /// </remarks>
    public static async Task<DateTimeOffset> RebuildAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string timeZone, DateTimeOffset now, int? recentDays = null)
    {
        var daysUntil = now.ToUniversalTime();
        // One rebuild at a time, cluster-wide: two (a slow run overlapping the next, another node, the benchmark's
        // timed rebuild) would each delete what the other had not committed yet and then insert the same keys.
        // The second waits, then rebuilds from what the first committed.
        await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext('wageclue.dashboard-stats'))", transaction: tx);
        // Read after the lock, so a rebuild that waited sees where the one before it ended.
        var previousEnd = await conn.ExecuteScalarAsync<DateTime>("SELECT days_until FROM wageclue.stats_refresh", transaction: tx);
        var zone = TimeZones.Find(timeZone);
        var fromDay = FirstDayToCount(zone, now, recentDays, previousEnd);
        var from = fromDay is { } d ? TimeZones.AtLocal(zone, d, TimeOnly.MinValue).ToUniversalTime() : (DateTimeOffset?)null;
        await conn.ExecuteAsync($$"""
            -- The one read that aggregates millions of rows: parallel workers help here (the service turns them off).
            SET LOCAL max_parallel_workers_per_gather = 2;
            DELETE FROM wageclue.clue_state_counts;
            INSERT INTO wageclue.clue_state_counts (district_id, state, count)
            SELECT district_id, state, count(*) FROM wageclue.workflow_instances WHERE subject = 'clue' GROUP BY district_id, state;

            DELETE FROM wageclue.clock_day_stats {{(from is null ? "" : "WHERE day >= @fromDay")}};
            INSERT INTO wageclue.clock_day_stats (day, district_id, clock, on_time, total, extended)
            SELECT (k.due_at AT TIME ZONE @timeZone)::date, k.district_id, k.clock, count(*) FILTER (WHERE {{ClockStore.MetOnTime}}), count(*),
                   count(*) FILTER (WHERE {{ClockStore.MetWithinExtension}})
            FROM wageclue.workflow_clocks k
            WHERE {{ClockStore.Counted}} AND k.due_at < @daysUntil {{(from is null ? "" : "AND k.due_at >= @from")}}
            GROUP BY 1, 2, 3;

            UPDATE wageclue.stats_refresh SET refreshed_at = @now, days_until = @daysUntil;
            """, new { timeZone, daysUntil, now = now.ToUniversalTime(), from, fromDay }, tx, commandTimeout: 600);
        return daysUntil;
    }

    /// <summary>
    /// The first local day a rebuild counts again: <paramref name="recentDays"/> before today, or the day the summary
    /// ended if that is earlier (nothing after it was ever counted); null for every day (a full rebuild, or a summary
    /// never built: Npgsql reads its '-infinity' as DateTime.MinValue).
    /// </summary>
    public static DateOnly? FirstDayToCount(TimeZoneInfo zone, DateTimeOffset now, int? recentDays, DateTime previousEnd)
    {
        if (recentDays is not { } days || previousEnd == DateTime.MinValue) return null;
        var recent = TimeZones.LocalDay(zone, now).AddDays(-days);
        var ended = TimeZones.LocalDay(zone, new DateTimeOffset(DateTime.SpecifyKind(previousEnd, DateTimeKind.Utc)));
        return ended < recent ? ended : recent;
    }
}
