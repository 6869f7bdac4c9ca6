using Microsoft.AspNetCore.Builder;
using Dapper;
using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.Logging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Workflows.Calendar;

namespace WageClue.Server.Tests;

/// <summary>The service as it runs, on the real PostgreSQL named by WAGECLUE_TEST_DB, with a fake clock.</summary>
public sealed class WageClueApp(string connectionString, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset DefaultNow = new(2026, 11, 25, 9, 5, 0, TimeSpan.FromHours(8)); // a Wednesday

    private readonly ForwardingTimeProvider _time = new();

    /// <summary>This test's clock. FakeTimeProvider never goes back, so each test gets a new one (see <see cref="ResetTime"/>).</summary>
    public FakeTimeProvider Time => _time.Current;

    public void ResetTime(DateTimeOffset? start = null) => _time.Current = new FakeTimeProvider((start ?? DefaultNow).ToUniversalTime());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:WageClue", ProductionLike(connectionString));
        // The test cluster runs with fsync off for speed (deploy/lib.sh); Production refuses that unless told.
        builder.UseSetting("Database:AllowNonDurable", "true");
        // Tokens are issued once per run while tests move the fake clock days ahead.
        builder.UseSetting("Auth:TokenLifetime", "3650.00:00:00");
        builder.UseSetting("Auth:IdleTimeout", "3650.00:00:00");
        builder.UseSetting("Auth:LoginAttemptsPerMinute", "10000");
        builder.UseSetting("Auth:TrackingLookupsPerMinute", "10000");
        // Jobs run when a test calls them, on the test's fake clock; one test runs a real Hangfire server.
        builder.UseSetting("Jobs:RunServer", "false");
        builder.UseSetting("Jobs:Clock", "Application");
        builder.UseSetting("Email:Smtp:Host", "127.0.0.1");
        builder.UseSetting("Email:Smtp:Port", TestSmtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Email:Smtp:Security", "None");
        builder.UseSetting("Email:Smtp:RetryDelay", "00:00:00.050");
        builder.UseSetting("Email:Smtp:Retries", "2");
        builder.UseSetting("Email:Smtp:AttemptTimeout", "00:00:05");
        builder.UseSetting("Email:Smtp:BreakDuration", "00:00:00.500");
        builder.UseSetting("Email:FromAddress", "wageclue@test.local");
        builder.UseSetting("Email:BaseUrl", "https://wageclue.test");
        // The key ring encrypted as in production (required outside Development), with a certificate outside the database.
        builder.UseSetting("DataProtection:Certificate:Path", TestCertificate.Path);
        builder.UseSetting("DataProtection:Certificate:Password", TestCertificate.Password);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(key, value);
        builder.ConfigureTestServices(s =>
        {
            s.AddSingleton<TimeProvider>(_time);
            s.AddSingleton<IStartupFilter, TestClientAddress>();
        });
    }

    /// <summary>
    /// The connection string with a password, as Production requires one. The test cluster trusts loopback
    /// connections (deploy/lib.sh), so the server never asks for it.
    /// </summary>
    public static string ProductionLike(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.Password)) builder.Password = "unused-on-a-trusting-test-cluster";
        return builder.ConnectionString;
    }

    /// <summary>
    /// Hangfire keeps its log provider in a static, set to the logger factory of the last host that configured it.
    /// When a second host of a test goes away, point it back at the shared host, whose factory is still alive.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (TestHost.App is { } shared && shared != this)
            GlobalConfiguration.Configuration.UseLogProvider(new AspNetCoreLogProvider(shared.Services.GetRequiredService<ILoggerFactory>()));
    }
}

/// <summary>The app's one TimeProvider, forwarding to the current test's FakeTimeProvider.</summary>
/// <summary>
/// The in-memory test server has no client address; a test names one in <see cref="Header"/> to be a client
/// elsewhere (the login throttle and the rate limits count per address).
/// </summary>
public sealed class TestClientAddress : IStartupFilter
{
    public const string Header = "X-Test-Client";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var address))
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(address.ToString());
            return nextMiddleware(context);
        });
        next(app);
    };
}

public sealed class ForwardingTimeProvider : TimeProvider
{
    public FakeTimeProvider Current { get; set; } = new(WageClueApp.DefaultNow.ToUniversalTime());

    public override DateTimeOffset GetUtcNow() => Current.GetUtcNow();
    public override long GetTimestamp() => Current.GetTimestamp();
    public override long TimestampFrequency => Current.TimestampFrequency;
    public override TimeZoneInfo LocalTimeZone => Current.LocalTimeZone;
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Current.CreateTimer(callback, state, dueTime, period);
}

[SetUpFixture]
public sealed class TestHost
{
    public const string Password = "test-password-1";

    public static string ConnectionString { get; private set; } = "";
    public static WageClueApp App { get; private set; } = null!;
    public static IReadOnlyDictionary<string, long> UserIds { get; private set; } = new Dictionary<string, long>();

    // username → (role, districts)
    private static readonly (string Name, string Role, string[] Districts)[] Users =
    [
        ("cw.zd", "caseworker", ["370303"]),
        ("cw2.zd", "caseworker", ["370303"]),
        ("sup.zd", "supervisor", ["370303"]),
        ("cw.zc", "caseworker", ["370302"]),
        ("sup.zc", "supervisor", ["370302"]),
        ("leader", "leader", ["370303", "370302"]),
        ("hotline", "integration", []),
        ("admin", "admin", []),
        ("auditor", "auditor", []),
    ];

    private static readonly Dictionary<string, Api> Clients = new();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        ConnectionString = Environment.GetEnvironmentVariable("WAGECLUE_TEST_DB") ?? "";
        if (ConnectionString.Length == 0)
            Assert.Fail("WAGECLUE_TEST_DB is not set. Run the tests with deploy/test.sh, which starts PostgreSQL, or point WAGECLUE_TEST_DB at an empty database.");
        try
        {
            await using var conn = new NpgsqlConnection(ConnectionString);
            await conn.OpenAsync();
        }
        catch (Exception e)
        {
            Assert.Fail($"The test database ({ConnectionString}) cannot be reached: {e.Message}. deploy/test.sh starts one.");
        }

        await TestSmtp.StartAsync();
        App = new WageClueApp(ConnectionString);
        _ = App.Server; // starts the host: migrations and shipped calendar years
        var users = App.Services.GetRequiredService<UserRepository>();
        var hash = App.Services.GetRequiredService<Passwords>().Hash(Password);
        var ids = new Dictionary<string, long>();
        foreach (var (name, role, districts) in Users)
            ids[name] = (await users.FindByUsernameAsync(name))?.Id
                ?? (await users.CreateAsync(new NewUser(name, "测试" + name, $"{name}@test.local", role, districts, hash), DateTimeOffset.UtcNow))!.Value;
        UserIds = ids;
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await Browser.BrowserSession.StopAsync();
        if (App != null) await App.DisposeAsync();
        await TestSmtp.StopAsync();
        PublishedServer.DeletePublished();
        TestCertificate.Delete();
    }

    /// <summary>A client logged in as the named user (one token per user for the whole run).</summary>
    public static async Task<Api> As(string username)
    {
        if (!Clients.TryGetValue(username, out var api))
            Clients[username] = api = await Api.LoginAsync(App.CreateClient(), username, Password);
        return api;
    }

    /// <summary>Empties the clue tables and restores the shipped calendar, so every test starts from the same database.</summary>
    public static async Task ResetAsync()
    {
        App.ResetTime();
        TestSmtp.Reset();
        // Email ids start again at 1 in every test: a journal left by a test's failed drain must not mark the next test's.
        foreach (var file in Directory.GetFiles(App.Services.GetRequiredService<Features.Notifications.SentJournal>().Folder)) File.Delete(file);
        await TestSmtp.StartAsync(); // a test may have stopped it
        await using var conn = new NpgsqlConnection(ConnectionString);
        // The audit logs are append-only (triggers); a test database is emptied with the triggers off.
        await conn.ExecuteAsync("""
            SET session_replication_role = replica;
            TRUNCATE wageclue.email_outbox, wageclue.escalations, wageclue.idempotency_keys, wageclue.pii_access_log, wageclue.workflow_history,
                wageclue.workflow_clocks, wageclue.credit_record_revisions, wageclue.credit_record_clues, wageclue.credit_records, wageclue.listings,
                wageclue.clues, wageclue.employers, wageclue.workflow_instances RESTART IDENTITY CASCADE;
            TRUNCATE wageclue.calendar_years, wageclue.clue_state_counts, wageclue.clock_day_stats;
            UPDATE wageclue.stats_refresh SET refreshed_at = NULL, days_until = '-infinity';
            TRUNCATE wageclue.login_failures, wageclue.rate_limit_windows; -- a test's wrong passwords must not slow the next test
            TRUNCATE wageclue.user_audit_log;
            SET session_replication_role = DEFAULT;
            """);
        var shipped = CalendarFile.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "workflows", "calendars", "cn-workcalendar.json")));
        await App.Services.GetRequiredService<CalendarRepository>().ImportMissingAsync(shipped, DateTimeOffset.UtcNow);
    }

    public static async Task<T> ScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        return await conn.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException("null");
    }

    /// <summary>Row counts of every table a request could write to: equal before and after means nothing was written.</summary>
    public static async Task<string> TableCountsAsync()
    {
        await using var conn = new NpgsqlConnection(ConnectionString);
        return await conn.ExecuteScalarAsync<string>("""
            SELECT concat_ws(',', (SELECT count(*) FROM wageclue.clues), (SELECT count(*) FROM wageclue.workflow_history),
                (SELECT count(*) FROM wageclue.workflow_clocks), (SELECT count(*) FROM wageclue.idempotency_keys),
                (SELECT count(*) FROM wageclue.users), (SELECT sum(version) FROM wageclue.workflow_instances),
                (SELECT count(*) FROM wageclue.workflow_clocks WHERE met_at IS NOT NULL OR cancelled_at IS NOT NULL OR paused_at IS NOT NULL
                    OR extension_request_days IS NOT NULL), (SELECT count(*) FROM wageclue.email_outbox),
                (SELECT count(*) FROM wageclue.employers), (SELECT count(*) FROM wageclue.credit_record_revisions), (SELECT count(*) FROM wageclue.listings))
            """) ?? "";
    }
}

/// <summary>Base for tests that use the shared app: a clean database and the default fake time before each.</summary>
public abstract class ApiTest
{
    [SetUp]
    public Task ResetDatabase() => TestHost.ResetAsync();

    protected static FakeTimeProvider Time => TestHost.App.Time;

    /// <summary>A Shanghai wall-clock time as the UTC instant a TimeProvider hands out.</summary>
    protected static DateTimeOffset Local(string isoLocal) => DateTimeOffset.Parse(isoLocal + "+08:00", System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime();
}
