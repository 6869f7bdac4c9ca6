using Microsoft.Extensions.Options;
using Npgsql;

namespace WageClue.Server.Infrastructure.Jobs;

public enum JobClockSource
{
    /// <summary>PostgreSQL's now(): every server instance judges "due" by the same clock, whatever its own drift.</summary>
    Database,
    /// <summary>The application's TimeProvider: for tests under a fake clock.</summary>
    Application,
}

/// <summary>The "now" background jobs work by (configuration Jobs:Clock).</summary>
public sealed class JobClock(TimeProvider time, IOptions<JobsOptions> options)
{
    public async Task<DateTimeOffset> NowAsync(NpgsqlConnection conn, NpgsqlTransaction? tx = null)
    {
        if (options.Value.Clock == JobClockSource.Application) return time.GetUtcNow();
        await using var command = new NpgsqlCommand("SELECT now()", conn, tx);
        return new DateTimeOffset((DateTime)(await command.ExecuteScalarAsync())!, TimeSpan.Zero);
    }
}

/// <summary>Configuration section "Jobs": Hangfire and the recurring jobs.</summary>
public sealed class JobsOptions
{
    /// <summary>Run a Hangfire server in this process. Several instances may all run one; the jobs are safe for that.</summary>
    public bool RunServer { get; set; } = true;

    /// <summary>Jobs are short and do batches; two cores serve four workers well.</summary>
    public int WorkerCount { get; set; } = 4;

    /// <summary>How often idle workers look for queued jobs (Hangfire's default of 15 s would delay every email).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public JobClockSource Clock { get; set; } = JobClockSource.Database;

    /// <summary>Cron of the SLA sweep (and of the outbox retry run); every minute by default.</summary>
    public string SweepCron { get; set; } = "* * * * *";

    /// <summary>Cron of the dashboards' summary rebuild of the recent days (StatsRefresh).</summary>
    public string StatsCron { get; set; } = "*/5 * * * *";

    /// <summary>
    /// Local days before today that the StatsCron rebuild counts again; the days before them are counted again by the
    /// full rebuild (StatsFullCron). 100 keeps the dashboards' 30- and 90-day windows exact within minutes.
    /// </summary>
    public int StatsRecentDays { get; set; } = 100;

    /// <summary>Cron of the full rebuild of the dashboards' summaries, every day they cover; in the workflow's zone (02:40 in Zibo).</summary>
    public string StatsFullCron { get; set; } = "40 2 * * *";

    /// <summary>Due clocks claimed and escalated per transaction.</summary>
    public int SweepBatchSize { get; set; } = 200;

    /// <summary>
    /// Batches a sweep run works on at once, each in its own transaction and connection. A batch spends most of its
    /// time waiting on round trips to PostgreSQL, so a close-of-business storm of 100 000 clocks needs several at once
    /// to be escalated within the minute (README, "Benchmark").
    /// </summary>
    public int SweepParallelism { get; set; } = 4;

    /// <summary>A sweep run stops claiming new batches after this long; the next run goes on where it stopped.</summary>
    public TimeSpan SweepTimeBudget { get; set; } = TimeSpan.FromSeconds(50);
}
