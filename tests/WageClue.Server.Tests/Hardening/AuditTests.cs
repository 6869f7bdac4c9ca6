using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests.Hardening;

/// <summary>Issue 13: the auditor (not the administrator) reads who saw personal data and who changed which account; both logs are append-only.</summary>
public class AuditTests : ApiTest
{
    private static IEnumerable<string> Column(JsonObject page, int column) =>
        page["rows"]!.AsArray().Select(r => r![column]!.GetValue<string>());

    [Test]
    public async Task The_auditor_reads_every_view_of_full_personal_data_and_nobody_else_does()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        var sup = await TestHost.As("sup.zd");
        await sup.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");

        var auditor = await TestHost.As("auditor");
        var log = await auditor.GetObjectAsync("/api/audit/personal-data");
        Assert.That(log["total"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(Column(log, 2), Is.EqualTo(new[] { "sup.zd", "cw.zd" }), "newest first");
        Assert.That(Column(log, 3), Is.All.EqualTo(clue.Str("trackingCode")));
        Assert.That(Column(log, 4), Is.All.EqualTo("张店区"));

        foreach (var user in new[] { "admin", "sup.zd", "leader", "hotline" })
            Assert.That((await (await TestHost.As(user)).Http.GetAsync("/api/audit/personal-data")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), user);
        var csv = await auditor.Http.GetAsync("/api/audit/personal-data?format=csv");
        var text = await csv.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain("时间,查看人,账号,线索编号,区县,用途").And.Contain(clue.Str("trackingCode")));
        var bad = await Api.ExpectAsync(await auditor.Http.GetAsync("/api/audit/personal-data?from=yesterday"), HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!["from"], Is.Not.Null);
    }

    [Test]
    public async Task Every_change_to_an_account_is_logged_with_who_made_it_and_never_a_password()
    {
        var admin = await TestHost.As("admin");
        var name = $"audit.{Guid.NewGuid():N}"[..16];
        var created = await Api.ExpectAsync(await admin.Http.PostAsJsonAsync("/api/users",
            new { username = name, displayName = "审计对象", role = "caseworker", districts = new[] { "370303" }, password = "Huanghe-ferry-1987" }), HttpStatusCode.Created);
        var id = created.Id();
        await Api.ExpectAsync(await admin.PutAsync($"/api/users/{id}", new { role = "supervisor", districts = new[] { "370302" } }), HttpStatusCode.OK);
        await Api.ExpectAsync(await admin.PutAsync($"/api/users/{id}", new { disabled = true }), HttpStatusCode.OK);
        await Api.ExpectAsync(await admin.PutAsync($"/api/users/{id}", new { disabled = false, password = "Temporary-by-admin-7" }), HttpStatusCode.OK);
        var user = await Api.LoginAsync(TestHost.App.CreateClient(), name, "Temporary-by-admin-7");
        await user.Http.PostAsJsonAsync("/api/users/me/password", new { currentPassword = "Temporary-by-admin-7", newPassword = "Taishan-sunrise-4am" });

        var log = await (await TestHost.As("auditor")).GetObjectAsync("/api/audit/users?pageSize=100");
        var mine = log["rows"]!.AsArray().Where(r => r![3]!.GetValue<string>() == name).Reverse().ToList();
        Assert.That(mine.Select(r => r![5]!.GetValue<string>()), Is.EqualTo(new[] { "创建账号", "修改账号", "停用", "启用", "管理员重置密码", "本人修改密码" }));
        Assert.That(mine.Take(5).Select(r => r![2]!.GetValue<string>()), Is.All.EqualTo("admin"), "by whom");
        Assert.That(mine[5]![2]!.GetValue<string>(), Is.EqualTo(name), "the user themself");
        Assert.That(mine[1]![6]!.GetValue<string>(), Does.Contain("角色：经办人 → 科室/区县负责人").And.Contain("区县：370303 → 370302"));
        Assert.That(log.ToJsonString(), Does.Not.Contain("Temporary-by-admin-7").And.Not.Contain("AQAAAA"), "no password, no hash");
        Assert.That((await admin.Http.GetAsync("/api/audit/users")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the administrator does not audit themself");
    }

    [TestCase("UPDATE wageclue.pii_access_log SET purpose = 'x'")]
    [TestCase("DELETE FROM wageclue.pii_access_log")]
    [TestCase("TRUNCATE wageclue.pii_access_log CASCADE")]
    [TestCase("UPDATE wageclue.user_audit_log SET details = 'x'")]
    [TestCase("DELETE FROM wageclue.user_audit_log")]
    public async Task The_logs_are_append_only_for_the_services_database_role(string sql)
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        await Api.ExpectAsync(await (await TestHost.As("admin")).PutAsync($"/api/users/{TestHost.UserIds["cw2.zd"]}", new { displayName = "测试cw2.zd" + Guid.NewGuid().ToString("N")[..4] }), HttpStatusCode.OK);
        var e = Assert.CatchAsync<Npgsql.PostgresException>(async () => await TestHost.ScalarAsync<int>(sql + "; SELECT 1"));
        Assert.That(e!.SqlState, Is.EqualTo("42501"), e.Message);
    }

    [Test]
    public async Task Entries_older_than_six_months_may_be_removed_and_no_younger_ones()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        await TestHost.ScalarAsync<int>("SET session_replication_role = replica; UPDATE wageclue.pii_access_log SET at = now() - interval '7 months'; SET session_replication_role = DEFAULT; SELECT 1");
        await cw.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        Assert.That(await TestHost.ScalarAsync<long>("WITH gone AS (DELETE FROM wageclue.pii_access_log WHERE at < now() - interval '6 months' RETURNING 1) SELECT count(*) FROM gone"), Is.EqualTo(1));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.pii_access_log"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_audit_page_shows_the_auditor_both_logs_and_refuses_everyone_else()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        var auditor = await PageClient.LoginAsync("auditor");
        var home = await auditor.GetAsync("/");
        Assert.That(home.Headers.Location?.ToString(), Is.EqualTo("/audit"));
        var page = await (await auditor.GetAsync("/audit")).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain(clue.Str("trackingCode")).And.Contain("查看反映人完整信息").And.Contain("测试cw.zd"));
        var admin = await PageClient.LoginAsync("admin");
        Assert.That((await admin.GetAsync("/audit")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
