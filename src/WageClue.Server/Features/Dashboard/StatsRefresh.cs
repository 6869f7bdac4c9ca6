using Dapper;
using Hangfire;
using Npgsql;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Instances;
using WageClue.Server.Infrastructure.Jobs;

namespace WageClue.Server.Features.Dashboard;

/// <summary>
/// Rebuilds the dashboards' summaries (every 5 minutes, Jobs:StatsCron): counts of clues by district and state, and
/// per local day, district and clock how many clocks fell due before the rebuild and how many were met in time
/// (today's row holds what fell due so far). A clock already due cannot become "in time" any more, so the summary
/// of it stays right until the clock is cancelled, paused or extended, which the next rebuild picks up; the
/// dashboards count live only what fell due since (DashboardQueries), a few minutes of deadlines at most. One
/// transaction, so a reader sees the old summary or the new one, never half; one rebuild at a time across nodes. Measured at a million clues: see the
/// README's benchmark section.
/// </summary>
public sealed class StatsRefresh(NpgsqlDataSource db, ClueWorkflow workflow, JobClock clock, ILogger<StatsRefresh> logger)
{
    public const string RecurringJobId = "dashboard-stats";

    [AutomaticRetry(Attempts = 0)] // the next run is the retry
    public Task RunAsync() => Infrastructure.Database.DatabaseRetry.RunAsync(async _ => await RebuildOnceAsync()).AsTask();

    private async Task RebuildOnceAsync()
    {
        var engine = workflow.CurrentEngine;
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var now = await clock.NowAsync(conn, tx);
        var daysUntil = await RebuildAsync(conn, tx, engine.Definition.TimeZone, now);
        await tx.CommitAsync();
        logger.LogDebug("Dashboard summaries rebuilt up to {Until}", daysUntil);
    }

    /// <summary>The rebuild itself, in the caller's transaction (the benchmark times it); returns the summary's end.</summary>
    /// <remarks>
    /// The summary ends at the rebuild's moment, not at midnight: on the day of a close-of-business storm the clocks
    /// due today are hundreds of thousands, and the benchmark found counting them live on every view at 160 ms.
    /// </remarks>
    public static async Task<DateTimeOffset> RebuildAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string timeZone, DateTimeOffset now)
    {
        var daysUntil = now.ToUniversalTime();
        await conn.ExecuteAsync($$"""
            -- One rebuild at a time, cluster-wide: two (a slow run overlapping the next, another node, the benchmark's
            -- timed rebuild) would each delete what the other had not committed yet and then insert the same keys.
            -- The second waits, then rebuilds from what the first committed.
            SELECT pg_advisory_xact_lock(hashtext('wageclue.dashboard-stats'));
            -- The one read that aggregates millions of rows: parallel workers help here (the service turns them off).
            SET LOCAL max_parallel_workers_per_gather = 2;
            DELETE FROM wageclue.clue_state_counts;
            INSERT INTO wageclue.clue_state_counts (district_id, state, count)
            SELECT district_id, state, count(*) FROM wageclue.workflow_instances WHERE subject = 'clue' GROUP BY district_id, state;

            DELETE FROM wageclue.clock_day_stats;
            INSERT INTO wageclue.clock_day_stats (day, district_id, clock, on_time, total, extended)
            SELECT (k.due_at AT TIME ZONE @timeZone)::date, k.district_id, k.clock, count(*) FILTER (WHERE {{ClockStore.MetOnTime}}), count(*),
                   count(*) FILTER (WHERE {{ClockStore.MetWithinExtension}})
            FROM wageclue.workflow_clocks k
            WHERE {{ClockStore.Counted}} AND k.due_at < @daysUntil
            GROUP BY 1, 2, 3;

            UPDATE wageclue.stats_refresh SET refreshed_at = @now, days_until = @daysUntil;
            """, new { timeZone, daysUntil, now = now.ToUniversalTime() }, tx, commandTimeout: 600);
        return daysUntil;
    }
}
