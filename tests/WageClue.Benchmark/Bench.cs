using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using WageClue.Server.Features.Privacy;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Dashboard;
using WageClue.Server.Features.Instances;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;

namespace WageClue.Benchmark;

public sealed record ThroughputRow(int Concurrency, Spread PerSecond, double P50Ms, double P95Ms, double P99Ms, double? RatioToCeiling);

public sealed record QueryRow(string Query, int Clues, double P50Ms, double P95Ms);

/// <param name="StatsRebuildMs">How long the dashboards' full summary rebuild (a background job every night) took at this size.</param>
/// <param name="RecentRebuildMs">How long the rebuild of the recent days (every 5 minutes) took, right after the full one.</param>
public sealed record SizeRow(int Clues, double StatsRebuildMs, double RecentRebuildMs);

/// <param name="Clues">How many clues the database held.</param>
/// <param name="Clocks">Per storm; <paramref name="Delivered"/> and <paramref name="Duplicates"/> are over all of them.</param>
public sealed record StormResult(int Clues, int Clocks, int Storms, Spread SecondsToRecorded, Spread DrainPerSecond, int Delivered, int Duplicates);

/// <param name="Clues">How many clues the database held before the batch.</param>
/// <param name="OfIntakeCeiling">Rows per second over the intake ceiling's best median (the most intakes this database took).</param>
public sealed record ImportRun(int Clues, int Rows, int Created, int Refused, double Seconds, double RowsPerSecond, double? OfIntakeCeiling);

public sealed record Target(string Name, string Goal, string Measured, bool Met);

public sealed record BenchResults(
    string Mode, DateTimeOffset At, string Machine,
    IReadOnlyList<ThroughputRow> IntakeCeiling, IReadOnlyList<ThroughputRow> IntakeApi,
    IReadOnlyList<ThroughputRow> TransitionCeiling, IReadOnlyList<ThroughputRow> TransitionApi,
    IReadOnlyList<QueryRow> Dashboard, IReadOnlyList<SizeRow> Sizes, IReadOnlyList<StormResult> Storms, IReadOnlyList<ImportRun> Imports,
    double PeakServerMb, double DatabaseMbPer100kClues,
    IReadOnlyList<Target> Targets, IReadOnlyList<ThroughputRow>? ExtensionApi = null, IReadOnlyList<ThroughputRow>? PauseResumeApi = null);

/// <summary>
/// One run of every measurement, in an order that keeps each honest: the dashboards and the storm on the generated
/// data first (100 000, then 1 000 000 clues), then intake and transitions on that full database.
/// </summary>
public sealed class Bench(BenchSettings settings, string adminConnection, string serverDll, string? keyRingPath = null)
{
    private const string Database = "wageclue_bench";
    private const string Zhangdian = "370303";
    private const string StormDistrict = "zb-wenchanghu";

    private NpgsqlDataSource _db = null!;
    private HttpClient _api = null!;
    private long _caseworkerId;
    private PersonalData _pii = null!;
    private WorkGenerator _work = null!;

    public async Task<BenchResults> RunAsync()
    {
        var connection = await CreateDatabaseAsync();
        _db = NpgsqlDataSource.Create(connection);
        await using var sink = new SmtpSink();
        Say($"starting the server ({serverDll})");
        var keyRing = ServerProcess.KeyRingCertificate(keyRingPath);
        await using var server = await ServerProcess.StartAsync(serverDll, connection, sink.Port, FreePort(), keyRing);
        await CreateUsersAsync();
        // The bulk loader seals phone numbers with the server's key ring, as the server reads them.
        _pii = await PersonalData.OutsideTheServiceAsync(_db, keyRing, ServerProcess.KeyRingPassword);
        _work = new WorkGenerator(_db, _pii);
        _api = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        _api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync("bench"));

        var dashboard = new List<QueryRow>();
        var sizes = new List<SizeRow>();
        var storms = new List<StormResult>();
        var imports = new List<ImportRun>();
        foreach (var size in settings.Sizes)
        {
            var have = await _db.CreateConnection().ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.clues");
            Say($"generating clues up to {size:N0}");
            var clock = Stopwatch.StartNew();
            await DataGenerator.AddCluesAsync(_db, _pii, size - (int)have, _caseworkerId, settings.SpreadDays);
            Say($"  {size - have:N0} clues in {clock.Elapsed.TotalSeconds:F0} s");
            sizes.Add(new SizeRow(size, await RebuildStatsAsync(null), await RebuildStatsAsync(RecentDays)));
            dashboard.AddRange(await DashboardAsync(size));
            if (settings.PerSize)
            {
                storms.Add(await StormsAsync(sink, size));
                imports.Add(await ImportAsync(server.BaseUrl, size));
            }
        }
        var mbPer100k = await DataGenerator.WageClueSizeMegabytesAsync(_db) / (settings.Sizes[^1] / 100_000.0);
        if (!settings.PerSize)
        {
            storms.Add(await StormsAsync(sink, settings.Sizes[^1]));
            imports.Add(await ImportAsync(server.BaseUrl, settings.Sizes[^1]));
        }

        var engine = WorkflowDefinitionLoader.LoadDirectory(Path.Combine(Path.GetDirectoryName(serverDll)!, "workflows")).Latest("wage-arrears-clue");
        var (intakeCeiling, intakeApi) = await PairedAsync("intake: ceiling (Npgsql, the intake's SQL) and through the API",
            () => IntakeDirectAsync(engine), IntakeApiAsync);
        var bestIntake = intakeCeiling.Max(r => r.PerSecond.Median);
        imports = imports.Select(x => x with { OfIntakeCeiling = bestIntake > 0 ? x.RowsPerSecond / bestIntake : null }).ToList();
        if (settings.PerSize)
        {
            var provincial = new BenchResults(settings.Mode, DateTimeOffset.UtcNow, Machine.Describe(), intakeCeiling, intakeApi, [], [], dashboard, sizes,
                storms, imports, server.PeakResidentMegabytes(), mbPer100k, []);
            return provincial with { Targets = Report.Targets(provincial, settings) };
        }

        var forDirect = new Queue<long>(await _work.AddReceivedAsync(settings.TransitionClues, Zhangdian, "ZBTRD"));

        var forApi = new Queue<long>(await _work.AddReceivedAsync(settings.TransitionClues, Zhangdian, "ZBTRA"));
        var (transitionCeiling, transitionApi) = await PairedAsync("accept + connect: ceiling (Npgsql) and through the API",
            () => TransitionDirectAsync(engine, forDirect), () => TransitionApiAsync(forApi), perOperation: 2);

        // The lifecycle: a caseworker asks for an extension and the district's supervisor approves it; a pause and its resume.
        _supervisorApi = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        _supervisorApi.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync($"sup-{Zhangdian}"));
        var forExtension = new Queue<long>(await _work.AddAcceptedAsync(settings.TransitionClues / 2, Zhangdian, "ZBEXT", _caseworkerId));
        var extensionApi = await ThroughputAsync("extension: request + approve through the API", () => ExtensionApiAsync(forExtension), null, perOperation: 2);
        var forPause = new Queue<long>(await _work.AddAcceptedAsync(settings.TransitionClues / 2, Zhangdian, "ZBPAU", _caseworkerId));
        var pauseApi = await ThroughputAsync("suspend + resume through the API", () => PauseResumeApiAsync(forPause), null, perOperation: 2);

        var peak = server.PeakResidentMegabytes();
        var results = new BenchResults(settings.Mode, DateTimeOffset.UtcNow, Machine.Describe(),
            intakeCeiling, intakeApi, transitionCeiling, transitionApi, dashboard, sizes, storms, imports, peak, mbPer100k, [], extensionApi, pauseApi);
        return results with { Targets = Report.Targets(results, settings) };
    }

    /// <summary>
    /// The dashboard queries and the summaries' rebuild on the database a run left behind, whatever its size, without a
    /// server: for measuring again after a change without refilling. With the key ring that run sealed its phone numbers
    /// with, also search (it hashes the phone typed), after the service's migrations are applied as a server would at
    /// start, so a change's new index is measured too.
    /// </summary>
    public async Task<(int Clues, SizeRow Rebuilds, double DatabaseMb, List<QueryRow> Rows)> MeasureExistingAsync()
    {
        _db = NpgsqlDataSource.Create(ServiceConnection());
        var withSearch = keyRingPath != null && File.Exists(keyRingPath);
        if (withSearch)
        {
            _pii = await PersonalData.OutsideTheServiceAsync(_db, keyRingPath!, ServerProcess.KeyRingPassword);
            Say("applying the service's migrations");
            await WageClue.Server.Infrastructure.Database.DatabaseSetup.MigrateAsync(_db, _pii,
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        }
        else Say("no key ring: the dashboards only, without search");
        var clues = (int)await _db.CreateConnection().ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.clues");
        Say($"the existing database holds {clues:N0} clues");
        var rebuilds = new SizeRow(clues, await RebuildStatsAsync(null), await RebuildStatsAsync(RecentDays));
        return (clues, rebuilds, await DataGenerator.WageClueSizeMegabytesAsync(_db), await DashboardAsync(clues, withSearch));
    }

    private string ServiceConnection() => WageClue.Server.Infrastructure.Database.DatabaseSetup.ServiceConnectionString(
        new NpgsqlConnectionStringBuilder(adminConnection) { Database = Database, MaxPoolSize = 64 }.ConnectionString);

    private async Task<string> CreateDatabaseAsync()
    {
        await using (var admin = new NpgsqlConnection(adminConnection))
        {
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
            await admin.ExecuteAsync($"CREATE DATABASE {Database}");
        }
        // The server's own connection settings, so that the in-process measurements read the way the server does.
        return ServiceConnection();
    }

    /// <summary>A caseworker of every district (the load), one supervisor per district with an address (the emails), a leader.</summary>
    private async Task CreateUsersAsync()
    {
        var users = new UserRepository(_db);
        var hash = new Passwords(new PasswordHasher<UserRow>(Options.Create(new PasswordHasherOptions { IterationCount = Passwords.IterationCount }))).Hash("bench-password-1");
        var now = DateTimeOffset.UtcNow;
        _caseworkerId = (await users.CreateAsync(new NewUser("bench", "压测经办人", null, Roles.Caseworker, DataGenerator.Districts, hash), now))!.Value;
        foreach (var d in DataGenerator.Districts)
            await users.CreateAsync(new NewUser($"sup-{d}", $"负责人{d}", $"sup-{d}@bench.local", Roles.Supervisor, [d], hash), now);
        await users.CreateAsync(new NewUser("leader", "局领导", "leader@bench.local", Roles.Leader, [], hash), now);
    }

    private async Task<string> TokenAsync(string username)
    {
        var response = await _api.PostAsJsonAsync("/api/auth/token", new { username, password = "bench-password-1" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
    }

    /// <summary>The rebuild of the recent days as the service runs it every 5 minutes, with its default of days.</summary>
    private static readonly int RecentDays = new WageClue.Server.Infrastructure.Jobs.JobsOptions().StatsRecentDays;

    /// <summary>
    /// What the server's StatsRefresh jobs do, done now so the dashboards read current summaries: of every day
    /// (<paramref name="recentDays"/> null, the nightly one) or of the recent days (every 5 minutes).
    /// </summary>
    private async Task<double> RebuildStatsAsync(int? recentDays)
    {
        var start = Stopwatch.GetTimestamp();
        await using var conn = await _db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await StatsRefresh.RebuildAsync(conn, tx, TimeZone, DateTimeOffset.UtcNow, recentDays);
        await tx.CommitAsync();
        var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Say($"  dashboard summaries rebuilt ({(recentDays is { } d ? $"the last {d} days" : "every day")}) in {ms:F0} ms");
        return ms;
    }

    private const string TimeZone = "Asia/Shanghai";

    /// <summary>A page of 线索查询 in 张店 (what the page asks ClueRepository), newest first, counted up to 1 000.</summary>
    private Task Search(SearchKind? kind, string value) =>
        new ClueRepository(_db, _pii).ListAsync(new ClueFilter(new ReadScope([Zhangdian], null), null, null, null, false, false, null, false, 1, 25,
            Search: kind is { } k ? new SearchTerm(k, value) : null, CountLimit: ClueEndpoints.SearchCountLimit), DateTimeOffset.UtcNow);

    private async Task<List<QueryRow>> DashboardAsync(int size, bool withSearch = true)
    {
        var queries = new DashboardQueries(_db, TimeZone);
        var now = DateTimeOffset.UtcNow;
        var district = new DashboardFilter([Zhangdian], null, null, null, false, null);
        var city = new DashboardFilter(null, null, null, null, false, null);
        var cases = new (string Name, Func<Task> Run)[]
        {
            ("overdue list, one district, page 1", () => queries.DeadlinesAsync(district, null, now, 1, 25)),
            ("counts by state × district, city", async () => await queries.StateCountsAsync(city)),
            ("compliance rates 30 days, one district", () => queries.RatesAsync(district, queries.WindowStart(now, 30), now)),
            ("compliance rates 90 days, city", () => queries.RatesAsync(city, queries.WindowStart(now, 90), now)),
            // Search (线索查询): what the page runs, the capped count included; one district as a caseworker sees it.
            ("search: tracking code", () => Search(SearchKind.TrackingCode, "ZBBULK0000012345")),
            ("search: phone's last 4 digits", () => Search(SearchKind.Phone, "7919")),
            ("search: whole phone", () => Search(SearchKind.Phone, "13900079190")),
            ("search: complainant name", () => Search(SearchKind.NameOrEmployer, "赵秀英")),
            ("search: 2 characters of employer names", () => Search(SearchKind.NameOrEmployer, "鑫源")),
            ("search: 4 characters, one employer", () => Search(SearchKind.NameOrEmployer, "桓台鑫源")),
            ("search: nothing found", () => Search(SearchKind.NameOrEmployer, "无此单位")),
            ("all clues of one district, page 1", () => Search(null, "")),
        };
        var rows = new List<QueryRow>();
        foreach (var (name, run) in withSearch ? cases : cases[..4])
        {
            for (var i = 0; i < 3; i++) await run(); // warm the caches, as a dashboard that is in use is
            var times = new List<double>();
            for (var i = 0; i < settings.QueryRuns; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await run();
                times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
            rows.Add(new QueryRow(name, size, Stats.Percentile(times, 50), Stats.Percentile(times, 95)));
            Say($"  {name} at {size:N0}: p50 {rows[^1].P50Ms:F1} ms, p95 {rows[^1].P95Ms:F1} ms");
        }
        return rows;
    }

    /// <summary>The storm, settings.StormRepeats times, at the database's present size.</summary>
    private async Task<StormResult> StormsAsync(SmtpSink sink, int size)
    {
        var runs = new List<(double Seconds, double Drain, int Delivered, int Duplicates)>();
        for (var i = 0; i < settings.StormRepeats; i++) runs.Add(await StormAsync(sink, _stormRound++));
        return new StormResult(size, settings.StormClocks, runs.Count, Stats.SpreadOf(runs.Select(x => x.Seconds).ToList()),
            Stats.SpreadOf(runs.Select(x => x.Drain).ToList()), runs.Sum(x => x.Delivered), runs.Sum(x => x.Duplicates));
    }

    private int _stormRound;

    /// <summary>
    /// Many clocks due at the same close-of-business minute. Deadlines are whole minutes (17:30), so the moment is the
    /// next whole minute at least 20 s ahead; the server's sweep runs on its own schedule (every minute, by default).
    /// </summary>
    private async Task<(double Seconds, double Drain, int Delivered, int Duplicates)> StormAsync(SmtpSink sink, int round)
    {
        await using var conn = await _db.OpenConnectionAsync();
        var dbNow = await conn.ExecuteScalarAsync<DateTime>("SELECT now()");
        var moment = new DateTimeOffset(dbNow.AddSeconds(20).Ticks - dbNow.AddSeconds(20).Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(1);
        var (first, last) = await _work.AddStormAsync(settings.StormClocks, StormDistrict, moment, round);
        Say($"storm: {settings.StormClocks:N0} clocks due at {moment:HH:mm:ss} UTC");
        sink.Clear();
        var offset = DateTimeOffset.UtcNow - new DateTimeOffset(await conn.ExecuteScalarAsync<DateTime>("SELECT now()"), TimeSpan.Zero);
        while (DateTimeOffset.UtcNow - offset < moment) await Task.Delay(100);
        var sinceMoment = Stopwatch.StartNew();
        var recorded = 0L;
        // Long enough for a slow machine, bounded (a storm of 100 000 may take minutes to reach the sink).
        var patience = TimeSpan.FromMinutes(Math.Max(5, settings.StormClocks / 10_000));
        while (sinceMoment.Elapsed < patience)
        {
            recorded = await conn.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM wageclue.escalations e JOIN wageclue.email_outbox o ON o.escalation_id = e.id
                WHERE e.instance_id BETWEEN @first AND @last AND e.level = 2
                """, new { first, last });
            if (recorded >= settings.StormClocks) break;
            await Task.Delay(100);
        }
        var toRecorded = sinceMoment.Elapsed.TotalSeconds;
        Say($"  all escalated and their emails queued {toRecorded:F1} s after the moment");

        bool IsStorm(string messageId) =>
            messageId.Trim('<', '>').Split('.') is [ "escalation", var id, .. ] && long.TryParse(id, out var n) && n >= first && n <= last;
        var waited = Stopwatch.StartNew();
        while (sink.Received.Count(r => IsStorm(r.MessageId)) < settings.StormClocks && waited.Elapsed < patience)
            await Task.Delay(200);
        var storm = sink.Received.Where(r => IsStorm(r.MessageId)).ToList();
        var span = storm.Count > 1 ? Stopwatch.GetElapsedTime(storm.Min(r => r.Ticks), storm.Max(r => r.Ticks)).TotalSeconds : double.NaN;
        var duplicates = storm.Count - storm.Select(r => r.MessageId).Distinct().Count();
        var drain = storm.Count / Math.Max(span, 0.001);
        Say($"  {storm.Count:N0} delivered at {drain:F0} emails/s, {duplicates} duplicates");
        return (toRecorded, drain, storm.Count, duplicates);
    }

    /// <summary>
    /// A batch from the 12345 hotline system as CSV through POST /api/imports, as its integration would send it: every
    /// district, a receipt time in the last two days, one row in 100 refused (a phone number of 10 digits), so the
    /// per-row report has work to do. Timed from the request to the whole report.
    /// </summary>
    private async Task<ImportRun> ImportAsync(string baseUrl, int size)
    {
        var csv = new System.Text.StringBuilder(string.Join(",", WageClue.Server.Features.Imports.ClueImport.Columns)).Append('\n');
        var now = DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(8));
        for (var i = 0; i < settings.ImportRows; i++)
        {
            var phone = i % 100 == 99 ? "1390000000" : "139" + (10_000_000 + i % 90_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture);
            var receivedAt = now.AddMinutes(-(i % 2880)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
            csv.Append($"HX{size}-{i},{DataGenerator.Districts[i % DataGenerator.Districts.Length]},张{(char)('一' + i % 200)},{phone},,")
               .Append($"淄博导入{i % 5000}建筑工程有限公司,,construction,{1 + i % 30},{1000 + i % 90000},\"热线转来：{1 + i % 30}名工人反映工资未付\",{receivedAt}\n");
        }
        Say($"import: {settings.ImportRows:N0} rows of CSV ({csv.Length / 1024.0 / 1024.0:F1} MB of text) at {size:N0} clues");
        using var client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(60) };
        client.DefaultRequestHeaders.Authorization = _api.DefaultRequestHeaders.Authorization;
        var start = Stopwatch.GetTimestamp();
        using var response = await client.PostAsync("/api/imports?source=hotline-12345",
            new StringContent(csv.ToString(), System.Text.Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadAsStringAsync();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"import answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        var report = JsonNode.Parse(body)!;
        var (created, refused) = (report["created"]!.GetValue<int>(), report["refused"]!.GetValue<int>());
        Say($"  {created:N0} created, {refused:N0} refused in {seconds:F1} s: {settings.ImportRows / seconds:F0} rows/s");
        return new ImportRun(size, settings.ImportRows, created, refused, seconds, settings.ImportRows / seconds, null);
    }

    /// <summary>
    /// A ceiling and the API measured in pairs: each ceiling run is followed at once by its API run, so a slow patch
    /// of the shared machine (a disk that stalls, a background rebuild) falls on both sides of a ratio, not on one.
    /// The ratio at a concurrency is the median of the pairs' ratios.
    /// </summary>
    private async Task<(List<ThroughputRow> Ceiling, List<ThroughputRow> Api)> PairedAsync(string name, Func<Task<bool>> ceiling,
        Func<Task<bool>> api, int perOperation = 1)
    {
        Say(name);
        var (ceilingRows, apiRows) = (new List<ThroughputRow>(), new List<ThroughputRow>());
        foreach (var concurrency in settings.Concurrency)
        {
            var pairs = new List<(LoadResult Ceiling, LoadResult Api)>();
            for (var i = 0; i < settings.Repeats; i++)
                pairs.Add((await Load.RunAsync(concurrency, settings.RunLength, ceiling), await Load.RunAsync(concurrency, settings.RunLength, api)));
            ThroughputRow Row(IEnumerable<LoadResult> runs, double? ratio)
            {
                var list = runs.ToList();
                var latencies = list.SelectMany(r => r.LatenciesMs).ToList();
                return new ThroughputRow(concurrency, Stats.SpreadOf(list.Select(r => r.PerSecond * perOperation).ToList()),
                    Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 95), Stats.Percentile(latencies, 99), ratio);
            }
            var ratio = Stats.Percentile(pairs.Where(p => p.Ceiling.PerSecond > 0).Select(p => p.Api.PerSecond / p.Ceiling.PerSecond).ToList(), 50);
            ceilingRows.Add(Row(pairs.Select(p => p.Ceiling), null));
            apiRows.Add(Row(pairs.Select(p => p.Api), ratio));
            var errors = pairs.Sum(p => p.Ceiling.Errors + p.Api.Errors);
            Say($"  concurrency {concurrency,2}: ceiling {ceilingRows[^1].PerSecond}/s, API {apiRows[^1].PerSecond}/s, ratio {ratio:P0}{(errors > 0 ? $", {errors} errors" : "")}");
        }
        return (ceilingRows, apiRows);
    }

    private async Task<List<ThroughputRow>> ThroughputAsync(string name, Func<Task<bool>> operation, List<ThroughputRow>? ceiling, int perOperation = 1)
    {
        Say(name);
        var rows = new List<ThroughputRow>();
        foreach (var concurrency in settings.Concurrency)
        {
            var runs = new List<LoadResult>();
            for (var i = 0; i < settings.Repeats; i++) runs.Add(await Load.RunAsync(concurrency, settings.RunLength, operation));
            var latencies = runs.SelectMany(r => r.LatenciesMs).ToList();
            var perSecond = Stats.SpreadOf(runs.Select(r => r.PerSecond * perOperation).ToList());
            var reference = ceiling?.Single(c => c.Concurrency == concurrency).PerSecond.Median;
            rows.Add(new ThroughputRow(concurrency, perSecond, Stats.Percentile(latencies, 50), Stats.Percentile(latencies, 95),
                Stats.Percentile(latencies, 99), reference is > 0 ? perSecond.Median / reference : null));
            Say($"  concurrency {concurrency,2}: {perSecond}/s, p95 {rows[^1].P95Ms:F1} ms{(runs.Sum(r => r.Errors) is > 0 and var e ? $", {e} errors" : "")}");
        }
        return rows;
    }

    // The intake's database work, as ClueWorkflow.RegisterAsync does it, minus HTTP and validation.
    private async Task<bool> IntakeDirectAsync(WorkflowEngine engine)
    {
        await using var conn = await _db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CalendarRepository.LockSharedAsync(conn, tx);
        var calendar = await _calendars.GetAsync(conn, tx);
        var now = DateTimeOffset.UtcNow;
        var intake = new ValidIntake("hotline-12345", Zhangdian, "刘洋", "13905331234", null, "淄博某某配送服务有限公司", null, "platform", 6, 28600m,
            "六名外卖骑手反映10月工资未付。", now);
        await ClueRepository.InsertAsync(conn, tx, intake, _pii, engine, calendar, _caseworkerId, Guid.NewGuid().ToString("N"), new byte[32], now);
        return true;
    }

    private readonly CalendarStore _calendars = new();

    private async Task<bool> IntakeApiAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/clues") { Content = JsonContent.Create(IntakeBody) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        using var response = await _api.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"intake answered {(int)response.StatusCode}");
        return true;
    }

    private static readonly object IntakeBody = new
    {
        channel = "hotline-12345", districtId = Zhangdian, complainantName = "刘洋", complainantPhone = "13905331234",
        employerName = "淄博某某配送服务有限公司", industry = "platform", workerCount = 6, amountOwed = 28600m,
        description = "六名外卖骑手反映10月工资未付。",
    };

    // accept, then connect, as ClueWorkflow.FireAsync does each: read the clue with its clocks, decide with the clock
    // effects on the calendar, apply them (compare-and-set, clocks, history, attributes) in one transaction.
    private async Task<bool> TransitionDirectAsync(WorkflowEngine engine, Queue<long> work)
    {
        long id;
        lock (work) { if (!work.TryDequeue(out id)) return false; }
        var clues = new ClueRepository(_db, _pii);
        var actor = new Actor(_caseworkerId, Roles.Caseworker);
        foreach (var (action, fields) in new[] { ("accept", AcceptFields), ("connect", ConnectFields) })
        {
            var (clue, clocks) = (await clues.FindWithClocksAsync(id))!.Value;
            var now = DateTimeOffset.UtcNow;
            await using var conn = await _db.OpenConnectionAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await CalendarRepository.LockSharedAsync(conn, tx);
            var calendar = await _calendars.GetAsync(conn, tx);
            var allowed = (Allowed)engine.Decide(clue.Snapshot(clocks), action, actor, fields, now, calendar);
            if (await WorkflowWriter.ApplyAsync(conn, tx, clue.Instance, action, allowed, _caseworkerId, now) == null) throw new InvalidOperationException("version moved");
            await ClueRepository.UpdateAttributesAsync(conn, tx, id, allowed.Updates);
            await tx.CommitAsync();
        }
        return true;
    }

    private Dictionary<string, JsonElement> AcceptFields => new() { ["assigneeId"] = JsonSerializer.SerializeToElement(_caseworkerId) };

    private static readonly Dictionary<string, JsonElement> ConnectFields = new()
    {
        ["whom"] = JsonSerializer.SerializeToElement("单位负责人"), ["how"] = JsonSerializer.SerializeToElement("phone"),
    };

    private async Task<bool> TransitionApiAsync(Queue<long> work)
    {
        long id;
        lock (work) { if (!work.TryDequeue(out id)) return false; }
        using (var accept = await _api.PostAsJsonAsync($"/api/clues/{id}/actions/accept", new { assigneeId = _caseworkerId }))
            if (!accept.IsSuccessStatusCode) throw new InvalidOperationException($"accept answered {(int)accept.StatusCode}");
        using (var connect = await _api.PostAsJsonAsync($"/api/clues/{id}/actions/connect", new { whom = "单位负责人", how = "phone" }))
            if (!connect.IsSuccessStatusCode) throw new InvalidOperationException($"connect answered {(int)connect.StatusCode}");
        return true;
    }

    private HttpClient _supervisorApi = null!;

    private async Task<bool> ExtensionApiAsync(Queue<long> work)
    {
        long id;
        lock (work) { if (!work.TryDequeue(out id)) return false; }
        await PostOkAsync(_api, $"/api/clues/{id}/actions/request-extension", new { clock = "feedback", days = 2, reason = "需调取考勤记录" });
        await PostOkAsync(_supervisorApi, $"/api/clues/{id}/actions/approve-extension", new { note = "同意" });
        return true;
    }

    private async Task<bool> PauseResumeApiAsync(Queue<long> work)
    {
        long id;
        lock (work) { if (!work.TryDequeue(out id)) return false; }
        await PostOkAsync(_api, $"/api/clues/{id}/actions/suspend", new { reason = "awaiting-material", note = "等待补正材料" });
        await PostOkAsync(_api, $"/api/clues/{id}/actions/resume", new { note = "材料已补正" });
        return true;
    }

    private static async Task PostOkAsync(HttpClient client, string url, object body)
    {
        using var response = await client.PostAsJsonAsync(url, body);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static void Say(string text) => Console.WriteLine($"[bench] {text}");
}
