using System.Net;
using Cronos;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Infrastructure.Jobs;
using WageClue.Server.Infrastructure.Observability;

namespace WageClue.Server.Infrastructure;

/// <summary>
/// What the service checks before it takes a request or runs a migration, in one place. Every option section is
/// validated (ValidateOnStart, run by <see cref="ValidateNow"/> before the database is touched); in Production the
/// service also refuses to start without what a bureau's deployment needs, and on a PostgreSQL that could lose an
/// acknowledged clue in a crash. Each refusal names the setting at fault. (The key ring's certificate is checked
/// where the key ring is set up, KeyRingProtection.)
/// </summary>
public static class StartupChecks
{
    /// <summary>Configuration key that lets Production run on a PostgreSQL with fsync or synchronous_commit off: throwaway test clusters only.</summary>
    public const string AllowNonDurable = "Database:AllowNonDurable";

    public static void AddStartupChecks(this IServiceCollection services, IConfiguration config, bool production)
    {
        Check<EmailOptions>(services, o => EmailFailures(o, config, production));
        Check<AuthOptions>(services, AuthFailures);
        Check<JobsOptions>(services, JobsFailures);
        Check<MetricsOptions>(services, MetricsFailures);
        if (!production) return;
        services.AddOptions<DatabaseConnection>().Configure(o => o.ConnectionString = config.GetConnectionString("WageClue"));
        Check<DatabaseConnection>(services, ConnectionFailures);
    }

    /// <summary>The connection string as configured, for its check (the service itself reads it in DatabaseSetup).</summary>
    public sealed class DatabaseConnection
    {
        public string? ConnectionString { get; set; }
    }

    /// <summary>Runs every ValidateOnStart check now (the host would only at its start, after the migrations).</summary>
    public static void ValidateNow(IServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();

    private static void Check<T>(IServiceCollection services, Func<T, IEnumerable<string>> failures) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(new Checker<T>(failures));
        services.AddOptions<T>().ValidateOnStart();
    }

    private sealed class Checker<T>(Func<T, IEnumerable<string>> failures) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            failures(options).ToList() is { Count: > 0 } found ? ValidateOptionsResult.Fail(found) : ValidateOptionsResult.Success;
    }

    private static IEnumerable<string> EmailFailures(EmailOptions o, IConfiguration config, bool production)
    {
        if (!MailboxAddress.TryParse(o.FromAddress, out var from) || !from.Address.Contains('@'))
            yield return $"Email:FromAddress: '{o.FromAddress}' is not an email address.";
        if (!Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            yield return $"Email:BaseUrl: '{o.BaseUrl}' is not an absolute http(s) address.";
        if (string.IsNullOrWhiteSpace(o.Smtp.Host)) yield return "Email:Smtp:Host: empty.";
        if (o.Smtp.Port is < 1 or > 65535) yield return $"Email:Smtp:Port: {o.Smtp.Port} is not a port (1-65535).";
        if (o.Smtp.AttemptTimeout <= TimeSpan.Zero) yield return "Email:Smtp:AttemptTimeout: must be positive.";
        if (o.Smtp.Retries < 0) yield return "Email:Smtp:Retries: must be 0 or more.";
        if (o.Smtp.BreakAfterFailures < 2) yield return "Email:Smtp:BreakAfterFailures: must be 2 or more.";
        if (o.Outbox.BatchSize is < 1 or > 1000) yield return $"Email:Outbox:BatchSize: {o.Outbox.BatchSize} is outside 1-1000.";
        if (o.Outbox.ClaimLease < TimeSpan.FromSeconds(10)) yield return "Email:Outbox:ClaimLease: must be at least 00:00:10 (the heartbeat renews it every third).";
        if (o.Outbox.MaxAttempts < 1) yield return "Email:Outbox:MaxAttempts: must be 1 or more.";
        if (!production) yield break;
        // Production: the defaults are a developer's machine; a bureau must say where its mail server and its
        // public address are, or every escalation email would go nowhere or link to 127.0.0.1.
        foreach (var key in new[] { "Email:BaseUrl", "Email:FromAddress", "Email:Smtp:Host" })
            if (string.IsNullOrWhiteSpace(config[key])) yield return $"{key}: required in Production.";
        if (!string.IsNullOrWhiteSpace(config["Email:BaseUrl"]) && baseUrl is { } b && (b.Scheme != "https" || b.IsLoopback))
            yield return $"Email:BaseUrl: '{o.BaseUrl}' must be the public https address users open the service at.";
    }

    private static IEnumerable<string> ConnectionFailures(DatabaseConnection o)
    {
        var builder = new NpgsqlConnectionStringBuilder(o.ConnectionString);
        if (string.IsNullOrEmpty(builder.Password) && string.IsNullOrEmpty(builder.Passfile))
            yield return "ConnectionStrings:WageClue: no Password (or Passfile) in Production; the database must not trust whoever connects.";
    }

    private static IEnumerable<string> AuthFailures(AuthOptions o)
    {
        if (o.TokenLifetime <= TimeSpan.Zero) yield return "Auth:TokenLifetime: must be positive.";
        if (o.IdleTimeout <= TimeSpan.FromMinutes(2)) yield return "Auth:IdleTimeout: must be longer than the two minutes' warning.";
        if (o.LoginAttemptsPerMinute < 1) yield return "Auth:LoginAttemptsPerMinute: must be 1 or more.";
        if (o.TrackingLookupsPerMinute < 1) yield return "Auth:TrackingLookupsPerMinute: must be 1 or more.";
        if (o.FailuresBeforeDelay < 1) yield return "Auth:FailuresBeforeDelay: must be 1 or more.";
        if (o.FirstDelay <= TimeSpan.Zero || o.LongestDelay < o.FirstDelay) yield return "Auth:FirstDelay, Auth:LongestDelay: positive, and the longest at least the first.";
    }

    private static IEnumerable<string> JobsFailures(JobsOptions o)
    {
        foreach (var (key, cron) in new[] { ("Jobs:SweepCron", o.SweepCron), ("Jobs:StatsCron", o.StatsCron), ("Jobs:StatsFullCron", o.StatsFullCron) })
        {
            string? problem = null;
            try { CronExpression.Parse(cron); }
            catch (CronFormatException e) { problem = e.Message; }
            if (problem != null) yield return $"{key}: '{cron}' is not a cron expression ({problem}).";
        }
        if (o.WorkerCount < 1) yield return "Jobs:WorkerCount: must be 1 or more.";
        if (o.SweepBatchSize < 1) yield return "Jobs:SweepBatchSize: must be 1 or more.";
        if (o.StatsRecentDays is < 1 or > 3660) yield return "Jobs:StatsRecentDays: must be between 1 and 3660.";
        if (o.SweepParallelism is < 1 or > 32) yield return "Jobs:SweepParallelism: must be between 1 and 32.";
        if (o.PollInterval <= TimeSpan.Zero) yield return "Jobs:PollInterval: must be positive.";
        if (o.SweepTimeBudget <= TimeSpan.Zero) yield return "Jobs:SweepTimeBudget: must be positive.";
    }

    private static IEnumerable<string> MetricsFailures(MetricsOptions o)
    {
        if (o.RefreshInterval < TimeSpan.FromSeconds(1)) yield return "Metrics:RefreshInterval: must be at least 00:00:01.";
        foreach (var network in o.AllowedNetworks)
            if (!IPNetwork.TryParse(network, out _)) yield return $"Metrics:AllowedNetworks: '{network}' is not a network (CIDR, such as 10.1.5.0/24).";
    }

    /// <summary>
    /// PostgreSQL with fsync or synchronous_commit off acknowledges a commit before it is on disk: a crash then loses
    /// clues whose 201 the caller already has. Production refuses it unless <see cref="AllowNonDurable"/> is set.
    /// </summary>
    public static async Task CheckDurabilityAsync(NpgsqlDataSource db, IConfiguration config, bool production, ILogger logger)
    {
        if (!production) return;
        await using var conn = await db.OpenConnectionAsync();
        var off = new List<string>();
        foreach (var setting in new[] { "fsync", "synchronous_commit" })
        {
            await using var show = new NpgsqlCommand($"SHOW {setting}", conn);
            if ((string?)await show.ExecuteScalarAsync() == "off") off.Add(setting);
        }
        if (off.Count == 0) return;
        var what = string.Join(" and ", off.Select(s => $"{s} = off"));
        if (config.GetValue<bool>(AllowNonDurable))
        {
            logger.LogWarning("PostgreSQL runs with {Settings}: a crash can lose acknowledged clues. Allowed by {Key} (a throwaway cluster only)", what, AllowNonDurable);
            return;
        }
        throw new InvalidOperationException(
            $"PostgreSQL runs with {what}: a crash could lose clues already acknowledged. Turn it on in postgresql.conf ({string.Join(", ", off.Select(s => $"{s} = on"))}); the service refuses to run on it in Production.");
    }
}
