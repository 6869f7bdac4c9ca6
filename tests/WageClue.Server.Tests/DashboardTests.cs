using Microsoft.Extensions.DependencyInjection;
using WageClue.Server.Features.Dashboard;

namespace WageClue.Server.Tests;

/// <summary>The dashboards' summaries give the same figures as counting every row, before and after a rebuild.</summary>
public class DashboardTests : ApiTest
{
    private static readonly TimeZoneInfo Zibo = WageClue.Workflows.Sla.TimeZones.Find("Asia/Shanghai");

    private static DashboardQueries Queries => TestHost.App.Services.GetRequiredService<DashboardQueries>();

    [Test]
    public async Task Rates_and_counts_from_the_summary_equal_the_live_figures()
    {
        var cw = await TestHost.As("cw.zd");
        // Clues received over the last days; one accepted late now, one answered in time (set in the table, since
        // the fake clock cannot go back), the rest never; one in another district; one received today.
        var ids = new List<long>();
        foreach (var day in new[] { "16", "17", "19", "24" })
            ids.Add((await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = $"2026-11-{day}T10:00:00+08:00"))).Id());
        await cw.DoAsync(ids[0], "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        await TestHost.ScalarAsync<int>("UPDATE wageclue.workflow_clocks SET met_at = due_at - interval '1 hour', met_by = 'accept' WHERE instance_id = @id AND clock = 'accept' RETURNING 1", new { id = ids[1] });
        var zc = await TestHost.As("cw.zc");
        await zc.RegisterAsync(Api.NewClue(c => { c["districtId"] = "370302"; c["receivedAt"] = "2026-11-18T10:00:00+08:00"; }));
        await cw.RegisterAsync();
        Time.SetUtcNow(Local("2026-11-25T18:00:00"));

        var now = Time.GetUtcNow();
        var city = new DashboardFilter(null, null, null, null, false, null);
        var district = new DashboardFilter(["370303"], null, null, null, false, null);
        var live = (await Rates(city, now), await Rates(district, now), await Trend(city, now), await Counts(city));
        Assert.That(live.Item1, Is.Not.Empty);
        // A window that ends before the rebuild (today's summary row runs past it): whole days summarised, the rest live.
        var noon = Local("2026-11-25T12:00:00");
        var liveToNoon = await Rates(city, noon);

        await TestHost.App.Services.GetRequiredService<StatsRefresh>().RunAsync();
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clock_day_stats"), Is.GreaterThan(0));
        var summarised = (await Rates(city, now), await Rates(district, now), await Trend(city, now), await Counts(city));
        Assert.That(summarised, Is.EqualTo(live));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clock_day_stats WHERE day = '2026-11-25'"), Is.GreaterThan(0),
            "today's clocks due before the rebuild are in the summary, so a storm's day is not counted live on every view");
        Assert.That(await Rates(city, noon), Is.EqualTo(liveToNoon));
        Assert.That((await Queries.StateCountsAsync(city)).AsOf, Is.EqualTo(now));

        // What happens after the rebuild counts at once: today's part is always live.
        Time.SetUtcNow(Local("2026-11-26T18:00:00"));
        var later = Time.GetUtcNow();
        Assert.That(await Rates(city, later), Is.Not.EqualTo(summarised.Item1), "the connect clocks due 11-26 17:30 joined the window");
        await TestHost.ScalarAsync<int>("UPDATE wageclue.stats_refresh SET refreshed_at = NULL, days_until = '-infinity' RETURNING 1");
        var allLive = await Rates(city, later);
        await TestHost.App.Services.GetRequiredService<StatsRefresh>().RunAsync();
        Assert.That(await Rates(city, later), Is.EqualTo(allLive));
    }

    [Test]
    public async Task A_rebuild_started_while_another_is_uncommitted_waits_for_it_instead_of_failing_on_its_rows()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"));
        // One rebuild holds its transaction open (another node's job, or the benchmark's timed rebuild)...
        await using var conn = new Npgsql.NpgsqlConnection(TestHost.ConnectionString);
        await conn.OpenAsync();
        var first = await conn.BeginTransactionAsync();
        await StatsRefresh.RebuildAsync(conn, first, "Asia/Shanghai", Time.GetUtcNow());
        // ...while the scheduled one starts: it must wait, not insert the same keys and fail with 23505 at the commit.
        var second = TestHost.App.Services.GetRequiredService<StatsRefresh>().RunAsync();
        await Task.Delay(TimeSpan.FromSeconds(0.5));
        Assert.That(second.IsCompleted, Is.False, "the second rebuild waits for the first");
        await first.CommitAsync();
        await first.DisposeAsync();
        Assert.That(async () => await second.WaitAsync(TimeSpan.FromSeconds(30)), Throws.Nothing);
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clue_state_counts"), Is.GreaterThan(0));
    }

    [Test]
    public async Task The_frequent_rebuild_counts_the_recent_days_again_and_the_nightly_one_every_day()
    {
        var cw = await TestHost.As("cw.zd");
        var old = (await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-09-01T10:00:00+08:00"))).Id();
        var recent = (await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"))).Id();
        var refresh = TestHost.App.Services.GetRequiredService<StatsRefresh>();
        await refresh.RunFullAsync();
        Assert.That((await OnTime("2026-09-01"), await OnTime("2026-11-20")), Is.EqualTo((0L, 0L)), "neither accepted");

        // Both accept clocks found met in time afterwards (set in the table: the fake clock cannot go back).
        await TestHost.ScalarAsync<int>("UPDATE wageclue.workflow_clocks SET met_at = due_at - interval '1 hour', met_by = 'accept' WHERE instance_id = ANY(@ids) AND clock = 'accept' RETURNING 1",
            new { ids = new[] { old, recent } });
        await RebuildRecentAsync(30);
        Assert.That(await OnTime("2026-11-20"), Is.EqualTo(1L), "a day of the last 30 is counted again");
        Assert.That(await OnTime("2026-09-01"), Is.EqualTo(0L), "a day before them waits for the full rebuild");
        await refresh.RunFullAsync();
        Assert.That(await OnTime("2026-09-01"), Is.EqualTo(1L));

        // A service away since August: everything from the summary's end is counted, not only the last 30 days.
        await TestHost.ScalarAsync<int>("DELETE FROM wageclue.clock_day_stats; UPDATE wageclue.stats_refresh SET days_until = '2026-08-31T12:00:00+08:00' RETURNING 1");
        await RebuildRecentAsync(30);
        Assert.That((await OnTime("2026-09-01"), await OnTime("2026-11-20")), Is.EqualTo((1L, 1L)));
        Assert.That(StatsRefresh.FirstDayToCount(Zibo, Time.GetUtcNow(), 30, Time.GetUtcNow().UtcDateTime), Is.EqualTo(new DateOnly(2026, 10, 26)));
        Assert.That(StatsRefresh.FirstDayToCount(Zibo, Time.GetUtcNow(), 30, DateTime.MinValue), Is.Null, "never built: every day");
        Assert.That(StatsRefresh.FirstDayToCount(Zibo, Time.GetUtcNow(), null, Time.GetUtcNow().UtcDateTime), Is.Null);
    }

    private static async Task RebuildRecentAsync(int days)
    {
        await using var conn = new Npgsql.NpgsqlConnection(TestHost.ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await StatsRefresh.RebuildAsync(conn, tx, "Asia/Shanghai", Time.GetUtcNow(), days);
        await tx.CommitAsync();
    }

    private static Task<long> OnTime(string day) => TestHost.ScalarAsync<long>(
        "SELECT coalesce(sum(on_time), -1)::bigint FROM wageclue.clock_day_stats WHERE clock = 'accept' AND district_id = '370303' AND day = @day::date", new { day });

    private static async Task<string> Rates(DashboardFilter f, DateTimeOffset now) =>
        string.Join(";", (await Queries.RatesAsync(f, Queries.WindowStart(now, 30), now)).OrderBy(r => r.Clock).Select(r => $"{r.Clock}:{r.OnTime}/{r.Total}"));

    private static async Task<string> Trend(DashboardFilter f, DateTimeOffset now) =>
        string.Join(";", (await Queries.TrendAsync(f, Queries.WindowStart(now, 30), now)).OrderBy(r => r.Day).ThenBy(r => r.Clock).Select(r => $"{r.Day}:{r.Clock}:{r.OnTime}/{r.Total}"));

    private static async Task<string> Counts(DashboardFilter f) =>
        string.Join(";", (await Queries.StateCountsAsync(f)).Counts.OrderBy(c => c.DistrictId).ThenBy(c => c.State).Select(c => $"{c.DistrictId}:{c.State}:{c.Count}"));
}
