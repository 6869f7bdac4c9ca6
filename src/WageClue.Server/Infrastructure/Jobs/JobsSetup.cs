using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Dashboard;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Features.Sla;

namespace WageClue.Server.Infrastructure.Jobs;

/// <summary>
/// Hangfire on PostgreSQL (schema "hangfire"), hosted by the server. Settings follow STACK.md: 1 s polls instead of
/// 15 s, a sliding invisibility timeout so a long job is not run twice, long polling off (it lost jobs in a test
/// here). Jobs take no arguments or ids only; each does a batch of work.
/// </summary>
public static class JobsSetup
{
    public const string DashboardPolicy = "hangfire-dashboard";

    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration config)
    {
        var options = config.GetSection("Jobs").Get<JobsOptions>() ?? new JobsOptions();
        services.Configure<JobsOptions>(config.GetSection("Jobs"));
        services.AddSingleton<JobClock>();
        var connectionString = config.GetConnectionString("WageClue");
        services.AddHangfire(h => h
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(connectionString), new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                QueuePollInterval = options.PollInterval,
                UseSlidingInvisibilityTimeout = true,
                EnableLongPolling = false,
            }));
        if (options.RunServer)
            services.AddHangfireServer(o =>
            {
                o.WorkerCount = options.WorkerCount;
                o.SchedulePollingInterval = options.PollInterval;
                // Within the host's shutdown timeout, so Hangfire has stopped before the host gives up on it.
                o.ShutdownTimeout = WageClueSetup.ShutdownTimeout(config) / 2;
            });
        return services;
    }

    /// <summary>Registers the recurring jobs (idempotent: every instance does it at start-up) and maps the dashboard.</summary>
    public static WebApplication UseJobs(this WebApplication app)
    {
        var options = app.Configuration.GetSection("Jobs").Get<JobsOptions>() ?? new JobsOptions();
        var recurring = app.Services.GetRequiredService<IRecurringJobManager>();
        recurring.AddOrUpdate<SlaSweep>(SlaSweep.RecurringJobId, s => s.RunAsync(CancellationToken.None), options.SweepCron);
        // Emails whose first attempt failed are retried by this run; new ones are sent by a job queued when they are.
        recurring.AddOrUpdate<OutboxSender>(OutboxSender.RecurringJobId, s => s.DrainAsync(CancellationToken.None), options.SweepCron);

        recurring.AddOrUpdate<StatsRefresh>(StatsRefresh.RecurringJobId, s => s.RunAsync(), options.StatsCron);
        // Build the summaries now too, rather than count live for up to 5 minutes after a deployment or a restore
        // (the recent days, and every day since the summary's end however long the service was away).
        var jobs = app.Services.GetRequiredService<IBackgroundJobClient>();
        jobs.Enqueue<StatsRefresh>(s => s.RunAsync());
        // A node that comes back (after a crash, a kill, a deployment) sweeps and sends at once what came due or was
        // queued while it was away, instead of waiting for the next minute's run.
        jobs.Enqueue<SlaSweep>(s => s.RunAsync(CancellationToken.None));
        jobs.Enqueue<OutboxSender>(s => s.DrainAsync(CancellationToken.None));

        var engine = app.Services.GetRequiredService<ClueWorkflow>().CurrentEngine;
        // In the bureau's zone, so the night is the bureau's night.
        recurring.AddOrUpdate<StatsRefresh>(StatsRefresh.FullRecurringJobId, s => s.RunFullAsync(), options.StatsFullCron,
            new RecurringJobOptions { TimeZone = engine.Zone });
        if (engine.Definition.Digest is { } digest)
        {
            var at = TimeOnly.ParseExact(digest.At, "HH:mm", CultureInfo.InvariantCulture);
            // Every day at that time in the definition's zone; the job itself skips rest days and keeps make-up days.
            recurring.AddOrUpdate<DailyDigest>(DailyDigest.RecurringJobId, d => d.RunAsync(), $"{at.Minute} {at.Hour} * * *",
                new RecurringJobOptions { TimeZone = engine.Zone });
        }
        else
        {
            recurring.RemoveIfExists(DailyDigest.RecurringJobId);
        }

        app.MapHangfireDashboardWithAuthorizationPolicy(DashboardPolicy, "/hangfire", new DashboardOptions
        {
            // The admin policy is the only gate; Hangfire's default filter would also refuse every remote request.
            Authorization = [],
            AsyncAuthorization = [],
            DashboardTitle = "WageClue 后台任务",
            AppPath = "/",
            DisplayStorageConnectionString = false,
        });
        return app;
    }
}
