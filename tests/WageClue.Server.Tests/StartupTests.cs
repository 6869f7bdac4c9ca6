using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WageClue.Server.Features.Accounts;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Tests;

/// <summary>Start-up on databases of its own: a fresh database per test, dropped afterwards.</summary>
public class StartupTests
{
    private string _database = "";
    private string _connectionString = "";

    [SetUp]
    public async Task CreateDatabase()
    {
        _database = $"wageclue_startup_{Guid.NewGuid():N}"[..30];
        await using var admin = new NpgsqlConnection(TestHost.ConnectionString);
        await admin.ExecuteAsync($"CREATE DATABASE {_database}");
        _connectionString = new NpgsqlConnectionStringBuilder(TestHost.ConnectionString) { Database = _database }.ConnectionString;
    }

    [TearDown]
    public async Task DropDatabase()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(TestHost.ConnectionString);
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    private async Task<long> CountAsync(string table)
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        return await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM wageclue.{table}");
    }

    [Test]
    public async Task The_published_service_started_from_another_folder_finds_its_configuration_and_pages()
    {
        await using var server = await PublishedServer.StartAsync(_connectionString);
        Assert.That((await server.Http.GetAsync("/css/site.css")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), "its web root");
        Assert.That(await CountAsync("calendar_years"), Is.EqualTo(3), "its workflows folder (the shipped calendar)");

        // Prometheus can scrape it, and finds every series the shipped dashboard and alerts read.
        await Operations.MetricsTests.ScrapeAsync(server);

        // In Production every log line is one JSON object for the log collector.
        Assert.That(server.Output, Is.Not.Empty);
        foreach (var line in server.Output)
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            Assert.That(entry.RootElement.TryGetProperty("Timestamp", out _) && entry.RootElement.TryGetProperty("Category", out _), line);
        }
    }

    [Test]
    public async Task Sigterm_with_a_request_still_open_past_the_shutdown_timeout_ends_the_process_cleanly()
    {
        await using var server = await PublishedServer.StartAsync(_connectionString, new Dictionary<string, string> { ["Host__ShutdownTimeout"] = "00:00:03" });
        // A request whose body never finishes arriving, as the probe held one open for 36 s.
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, server.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            "POST /api/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"username\":"));
        await stream.FlushAsync();
        await Task.Delay(500);

        var exit = await server.TerminateAsync(TimeSpan.FromSeconds(60));
        Assert.That(exit, Is.Zero, "an orderly exit, not an abort (134)");
    }

    [Test]
    public void Outside_development_the_service_refuses_to_start_without_a_key_ring_certificate_and_names_the_setting()
    {
        using var app = new WageClueApp(_connectionString, new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["DataProtection:Certificate:Path"] = "",
        });
        var e = Assert.Catch(() => _ = app.Server);
        Assert.That(e!.ToString(), Does.Contain("DataProtection:Certificate:Path"));
    }

    [Test]
    public async Task The_key_ring_in_the_database_is_encrypted_with_the_certificate()
    {
        await using (var app = new WageClueApp(_connectionString))
        {
            // Issuing a token makes the key ring's first key.
            var users = app.Services.GetRequiredService<UserRepository>();
            var hash = app.Services.GetRequiredService<Passwords>().Hash(TestHost.Password);
            await users.CreateAsync(new NewUser("keyring.user", "密钥测试", null, Roles.Caseworker, ["370303"], hash), DateTimeOffset.UtcNow);
            await Api.LoginAsync(app.CreateClient(), "keyring.user", TestHost.Password);
        }
        await using var conn = new NpgsqlConnection(_connectionString);
        var keys = (await conn.QueryAsync<string>("SELECT xml FROM wageclue.data_protection_keys")).ToList();
        Assert.That(keys, Is.Not.Empty);
        Assert.That(keys, Has.All.Contain("encryptedSecret").And.All.Not.Contain("<masterKey"), "no key in the clear");
    }

    [Test]
    public async Task Clues_stored_before_the_upgrade_have_their_phone_and_id_number_sealed_by_it()
    {
        // The database as the version before sealing left it: migrations up to 0013, two clues in plaintext.
        await using (var conn = new NpgsqlConnection(_connectionString))
        {
            await conn.ExecuteAsync("CREATE SCHEMA wageclue");
            var upgrade = DbUp.DeployChanges.To.PostgresqlDatabase(_connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(Infrastructure.Database.DatabaseSetup).Assembly,
                    name => name.Contains(".Migrations.", StringComparison.Ordinal) && string.CompareOrdinal(name.Split(".Migrations.")[1], "0014") < 0)
                .JournalToPostgresqlTable("wageclue", "schema_versions").WithTransactionPerScript().Build().PerformUpgrade();
            Assert.That(upgrade.Successful, Is.True, upgrade.Error?.Message);
            await conn.ExecuteAsync("""
                WITH i AS (
                    INSERT INTO wageclue.workflow_instances (subject, definition_id, definition_version, calendar_version, state, district_id, created_at, updated_at)
                    SELECT 'clue', 'wage-arrears-clue', 2, 1, 'received', '370303', now(), now() FROM generate_series(1, 2)
                    RETURNING id)
                INSERT INTO wageclue.clues (id, tracking_code, channel, complainant_name, complainant_phone, complainant_id_number, employer_name,
                    worker_count, amount_owed, description, received_at, receipt_day)
                SELECT id, 'ZBOLD0000000' || id, 'walk-in', '孙丽', CASE WHEN id = 1 THEN '13905337788' ELSE '0533-2187654' END,
                    CASE WHEN id = 1 THEN '370303198506127718' END, '淄博旧数据有限公司', 3, 9000, '升级前登记的线索', now(), current_date
                FROM i
                """);
        }

        await using (var app = new WageClueApp(_connectionString))
        {
            _ = app.Server; // start-up runs the rest of the migrations
            var clues = app.Services.GetRequiredService<Features.Clues.ClueRepository>();
            var first = (await clues.FindAsync(1))!;
            Assert.That((first.ComplainantPhone, first.ComplainantIdNumber), Is.EqualTo(("13905337788", "370303198506127718")));
            Assert.That((await clues.FindAsync(2))!.ComplainantPhone, Is.EqualTo("0533-2187654"));
            var everywhere = new Features.Access.ReadScope(null, null);
            foreach (var (q, expected) in new[] { ("7788", 1L), ("05332187654", 2L) })
            {
                var term = Features.Clues.SearchTerm.Parse(q).Term!;
                var (items, _) = await clues.ListAsync(new Features.Clues.ClueFilter(everywhere, null, null, null, false, false, null, false, 1, 20, Search: term),
                    DateTimeOffset.UtcNow);
                Assert.That(items.Select(c => c.Id), Is.EqualTo(new[] { expected }), q);
            }
        }
        await using var check = new NpgsqlConnection(_connectionString);
        Assert.That(await check.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'wageclue' AND column_name IN ('complainant_phone', 'complainant_id_number')"),
            Is.Zero, "the plaintext columns are gone");
    }

    [Test]
    public async Task Production_configuration_migrates_an_empty_database_and_loads_no_demo_data()
    {
        await using (var app = new WageClueApp(_connectionString)) _ = app.Server;
        await using (var again = new WageClueApp(_connectionString)) _ = again.Server; // a restart finds nothing to migrate
        Assert.That(await CountAsync("users"), Is.EqualTo(0));
        Assert.That(await CountAsync("clues"), Is.EqualTo(0));
        Assert.That(await CountAsync("districts"), Is.EqualTo(11));
        Assert.That(await CountAsync("calendar_years"), Is.EqualTo(3));
    }

    [Test]
    public async Task The_demo_data_gives_every_role_a_user_and_clues_in_several_states_and_survives_a_restart()
    {
        var settings = new Dictionary<string, string?> { ["DemoData:Enabled"] = "true" };
        await using (var app = new WageClueApp(_connectionString, settings)) _ = app.Server;
        await using var conn = new NpgsqlConnection(_connectionString);
        var roles = (await conn.QueryAsync<string>("SELECT DISTINCT role FROM wageclue.users")).ToList();
        var states = (await conn.QueryAsync<string>("SELECT DISTINCT state FROM wageclue.workflow_instances")).ToList();
        Assert.That(roles, Is.EquivalentTo(Roles.All));
        Assert.That(states, Is.SupersetOf(new[] { "received", "accepted", "connected", "handling", "resolved", "rejected" }));
        var clues = await CountAsync("clues");
        var listings = (await conn.QueryAsync<string>("SELECT state FROM wageclue.workflow_instances WHERE subject = 'listing'")).ToList();
        Assert.That(listings, Is.EquivalentTo(new[] { "listed", "noticed", "objection" }), "listing cases at three steps");
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.credit_records"), Is.EqualTo(1));
        // Weeks of history with actions at their own times: rates a supervisor can read, neither 0 % nor 100 %.
        var days = await conn.ExecuteScalarAsync<int>("SELECT count(DISTINCT receipt_day) FROM wageclue.clues");
        Assert.That(days, Is.GreaterThanOrEqualTo(20), "clues on many working days");
        foreach (var clock in new[] { "accept", "connect", "feedback" })
        {
            var onTime = await conn.ExecuteScalarAsync<double>($"""
                SELECT avg(CASE WHEN met_at <= due_at THEN 1.0 ELSE 0.0 END) FROM wageclue.workflow_clocks
                WHERE clock = '{clock}' AND cancelled_at IS NULL AND due_at < now() AND due_at > now() - interval '30 days'
                """);
            Assert.That(onTime, Is.InRange(0.7, 0.97), $"{clock}: most in time, some late");
        }
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_clocks WHERE original_due_at IS NOT NULL AND met_at <= due_at"),
            Is.GreaterThan(0), "some answered within an approved extension");
        Assert.That(await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_clocks WHERE clock = 'follow-up' AND met_at IS NOT NULL"),
            Is.GreaterThan(0), "resolved clues called back");

        await using (var restarted = new WageClueApp(_connectionString, settings))
        {
            _ = restarted.Server;
            var api = await Api.LoginAsync(restarted.CreateClient(), "zhangmin", "WageClue-demo-2026");
            var page = await api.GetObjectAsync("/api/clues");
            var zhangdian = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_instances WHERE subject = 'clue' AND district_id = '370303'");
            Assert.That(zhangdian, Is.LessThan(clues));
            Assert.That(page["total"]!.GetValue<long>(), Is.EqualTo(zhangdian), "张店 sees its own clues, not 淄川's");
        }
        Assert.That(await CountAsync("clues"), Is.EqualTo(clues), "a restart loads nothing twice");
    }

    [Test]
    public async Task The_first_administrator_is_created_from_the_command_line()
    {
        await using var app = new WageClueApp(_connectionString);
        _ = app.Server;
        Environment.SetEnvironmentVariable("WAGECLUE_ADMIN_PASSWORD", "first-admin-password");
        try
        {
            var created = await CreateAdminCommand.RunAsync(app.Services, ["create-admin", "--username", "root.admin", "--email", "it@bureau.local"]);
            var twice = await CreateAdminCommand.RunAsync(app.Services, ["create-admin", "--username", "root.admin"]);
            Assert.That((created, twice), Is.EqualTo((0, 1)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("WAGECLUE_ADMIN_PASSWORD", null);
        }
        var admin = await Api.LoginAsync(app.CreateClient(), "root.admin", "first-admin-password");
        var me = await admin.GetObjectAsync("/api/users/me");
        Assert.That((me.Str("role"), me.Str("email")), Is.EqualTo(("admin", "it@bureau.local")));
    }

    [Test]
    public async Task A_token_issued_by_one_server_instance_works_on_another()
    {
        await using var first = new WageClueApp(_connectionString, new Dictionary<string, string?> { ["DemoData:Enabled"] = "true" });
        await using var second = new WageClueApp(_connectionString);
        var onFirst = await Api.LoginAsync(first.CreateClient(), "zhangmin", "WageClue-demo-2026");
        var onSecond = second.CreateClient();
        onSecond.DefaultRequestHeaders.Authorization = onFirst.Http.DefaultRequestHeaders.Authorization;
        var me = await Api.ExpectAsync(await onSecond.GetAsync("/api/users/me"), System.Net.HttpStatusCode.OK);
        Assert.That(me.Str("username"), Is.EqualTo("zhangmin"));
        // On one machine a key folder in the home directory would also be shared; across machines only the database is.
        Assert.That(await CountAsync("data_protection_keys"), Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public void A_bad_definition_stops_start_up_naming_the_file_the_path_and_the_problem()
    {
        var dir = Directory.CreateTempSubdirectory("wageclue-bad-").FullName;
        try
        {
            var shipped = Path.Combine(AppContext.BaseDirectory, "workflows");
            File.Copy(Path.Combine(shipped, WorkflowDefinitionLoader.SchemaFileName), Path.Combine(dir, WorkflowDefinitionLoader.SchemaFileName));
            var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(shipped, "wage-arrears-clue.v1.json")))!;
            definition["actions"]![3]!["transitions"]![0]!["to"] = "contacted";
            File.WriteAllText(Path.Combine(dir, "wage-arrears-clue.v1.json"), definition.ToJsonString());

            using var app = new WageClueApp(_connectionString, new Dictionary<string, string?> { ["Workflows:Path"] = dir });
            var e = Assert.Catch(() => _ = app.Server);
            var definitionError = e as WorkflowDefinitionException ?? e!.InnerException as WorkflowDefinitionException;
            Assert.That(definitionError, Is.Not.Null, e!.ToString());
            Assert.That(definitionError!.Message, Does.Contain("wage-arrears-clue.v1.json: $.actions[3].transitions[0].to: unknown state 'contacted'"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
