using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Dashboard;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Infrastructure.Jobs;

namespace WageClue.Server.Infrastructure.Observability;

/// <summary>Configuration section "Metrics".</summary>
public sealed class MetricsOptions
{
    /// <summary>How often the figures are read from the database (a scrape never waits on it).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Who may read /metrics (CIDR); others get 404. Loopback by default: list the Prometheus servers' network.</summary>
    public string[] AllowedNetworks { get; set; } = ["127.0.0.0/8", "::1/128"];
}

/// <summary>The figures the gauges report, with when they were read.</summary>
public sealed record Figures(IReadOnlyDictionary<string, string> DistrictNames, IReadOnlyList<StateCount> CluesByState, IReadOnlyDictionary<string, long> OverdueByDistrict,
    double SweepLagSeconds, OutboxFigures Outbox, double OutboxOldestDueSeconds, long JobsFailed, DateTimeOffset ReadAt, TimeProvider Time)
{
    public double AgeSeconds => ReadAt == DateTimeOffset.MinValue ? double.NaN : (Time.GetUtcNow() - ReadAt).TotalSeconds;

    /// <summary>The district's name for a dashboard's legend (张店区), beside its code.</summary>
    public string NameOf(string district) => DistrictNames.TryGetValue(district, out var name) ? name : district;

    public static Figures None(TimeProvider time) => new(new Dictionary<string, string>(), [], new Dictionary<string, long>(), 0, new OutboxFigures(0, null, 0), 0, 0, DateTimeOffset.MinValue, time);
}

/// <summary>
/// Reads the service's figures from the database every <see cref="MetricsOptions.RefreshInterval"/>, so a scrape
/// is answered from memory and a slow or unreachable database never slows it (the age gauge then grows, which
/// is itself worth an alert). Each figure is read by its owner's query: the dashboard's counts, ClockStore's
/// sweep backlog, the outbox's figures.
/// </summary>
public sealed class ServiceFigures(NpgsqlDataSource db, DashboardQueries dashboard, Features.Districts.DistrictRepository districts, JobClock clock, IServiceProvider services,
    IOptions<MetricsOptions> options, TimeProvider time, ILogger<ServiceFigures> logger) : BackgroundService
{
    private static readonly DashboardFilter City = new(null, null, null, null, false, null);

    public Figures Current { get; private set; } = Figures.None(time);

    public async Task RefreshAsync(CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var now = await clock.NowAsync(conn);
        var (states, _) = await dashboard.StateCountsAsync(City);
        var overdue = await dashboard.DeadlineCountsByDistrictAsync(City, null, now);
        var unswept = await ClockStore.OldestUnsweptAsync(conn, now);
        var outbox = await Outbox.FiguresAsync(conn, now);
        var names = (await districts.ListAsync()).ToDictionary(d => d.Id, d => d.Name);
        Current = new Figures(names, states, overdue, Seconds(now, unswept), outbox, Seconds(now, outbox.OldestDue), FailedJobs(), now, time);
    }

    private static double Seconds(DateTimeOffset now, DateTimeOffset? since) => since is { } s ? Math.Max(0, (now - s).TotalSeconds) : 0;

    // Hangfire's own count of jobs in the failed state (its storage is the same database).
    private long FailedJobs() => services.GetService<JobStorage>()?.GetMonitoringApi().FailedCount() ?? 0;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("The metrics' figures could not be read ({Error}); /metrics keeps the last ones and wageclue_figures_age_seconds grows", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
