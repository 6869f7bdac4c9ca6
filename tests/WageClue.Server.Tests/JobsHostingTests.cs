using System.Net;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;
using WageClue.Server.Features.Sla;

namespace WageClue.Server.Tests;

/// <summary>Hangfire as deployed: a server in the app, the recurring jobs, the admin-only dashboard behind the cookie login.</summary>
public class JobsHostingTests : ApiTest
{
    [Test]
    public async Task A_Hangfire_server_runs_the_sweep_and_the_emails_arrive_without_the_test_calling_a_job()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync();
        await using var server = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Jobs:RunServer"] = "true" });
        server.ResetTime(Local("2026-11-25T15:30:00"));
        _ = server.Server;

        var recurring = server.Services.GetRequiredService<JobStorage>().GetConnection().GetRecurringJobs().ToDictionary(j => j.Id);
        Assert.That(recurring.Keys, Is.SupersetOf(new[] { SlaSweep.RecurringJobId, "outbox-retry", "daily-digest" }));
        Assert.That((recurring["daily-digest"].Cron, recurring["daily-digest"].TimeZoneId), Is.EqualTo(("30 8 * * *", "Asia/Shanghai")));
        Assert.That(recurring[SlaSweep.RecurringJobId].Cron, Is.EqualTo("* * * * *"));
        Assert.That(recurring[Features.Dashboard.StatsRefresh.RecurringJobId].Cron, Is.EqualTo("*/5 * * * *"));
        Assert.That((recurring[Features.Dashboard.StatsRefresh.FullRecurringJobId].Cron, recurring[Features.Dashboard.StatsRefresh.FullRecurringJobId].TimeZoneId),
            Is.EqualTo(("40 2 * * *", "Asia/Shanghai")), "the full rebuild at night in Zibo");

        // Run the sweep now rather than wait for the minute; the sweep queues the sending job itself.
        server.Services.GetRequiredService<IRecurringJobManager>().Trigger(SlaSweep.RecurringJobId);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (TestSmtp.Messages.Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.That(Jobs.Deliveries(TestSmtp.Messages), Is.EqualTo(new[] { "cw.zd 临期提醒", "cw2.zd 临期提醒" }));
    }

    [Test]
    public async Task A_node_that_starts_queues_a_sweep_and_a_send_at_once()
    {
        var monitoring = TestHost.App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        int Queued(Type type) => monitoring.EnqueuedJobs("default", 0, 10_000).Count(j => j.Value.Job?.Type == type);
        var (sweeps, sends) = (Queued(typeof(SlaSweep)), Queued(typeof(Features.Notifications.OutboxSender)));

        await using var restarted = new WageClueApp(TestHost.ConnectionString);
        _ = restarted.Server;

        Assert.That((Queued(typeof(SlaSweep)), Queued(typeof(Features.Notifications.OutboxSender))), Is.EqualTo((sweeps + 1, sends + 1)),
            "what a dead node left due or queued is not left for the next minute's run");
    }

    [Test]
    public async Task The_dashboard_is_for_administrators_logged_in_with_the_form()
    {
        var anonymous = Browser();
        var first = await anonymous.GetAsync("/hangfire");
        Assert.That((first.StatusCode, first.Headers.Location?.ToString()), Is.EqualTo((HttpStatusCode.Redirect, "http://localhost/login?ReturnUrl=%2Fhangfire")));

        var admin = Browser();
        var loggedIn = await LoginAsync(admin, "admin", "/hangfire");
        Assert.That((loggedIn.StatusCode, loggedIn.Headers.Location?.ToString()), Is.EqualTo((HttpStatusCode.Redirect, "/hangfire")));
        var cookie = loggedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("wageclue.session=", StringComparison.Ordinal));
        Assert.That(cookie, Does.Contain("httponly").And.Contain("samesite=strict"));
        var dashboard = await admin.GetAsync("/hangfire");
        Assert.That(dashboard.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var page = await dashboard.Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("WageClue 后台任务"));
        Assert.That(page, Does.Contain("服务器").And.Not.Contain(">Servers<"), "Hangfire's own Chinese resources");

        var caseworker = Browser();
        await LoginAsync(caseworker, "cw.zd", "/hangfire");
        Assert.That((await caseworker.GetAsync("/hangfire")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        // Logging out ends the session: the dashboard asks for the login again.
        var logoutPage = await (await admin.GetAsync("/login")).Content.ReadAsStringAsync();
        await admin.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = Token(logoutPage) }));
        Assert.That((await admin.GetAsync("/hangfire")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
    }

    [Test]
    public async Task A_wrong_password_is_told_in_Chinese_and_a_form_without_its_antiforgery_token_is_refused()
    {
        var browser = Browser();
        var wrong = await LoginAsync(browser, "admin", "/hangfire", password: "not-the-password");
        Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await wrong.Content.ReadAsStringAsync(), Does.Contain("用户名或密码错误"));

        var forged = await Browser().PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Username"] = "admin", ["Password"] = TestHost.Password,
        }));
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_template_that_does_not_parse_stops_start_up_and_names_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("wageclue-templates-").FullName;
        try
        {
            var shipped = Path.Combine(AppContext.BaseDirectory, "workflows", "email-templates");
            foreach (var file in Directory.GetFiles(shipped)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            File.WriteAllText(Path.Combine(folder, "digest.body.liquid"), "{% for c in overdue %}{{ c.tracking_code }}");
            await using var app = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Email:TemplatePath"] = folder });
            var e = Assert.Catch(() => _ = app.Server);
            Assert.That(e!.ToString(), Does.Contain("digest.body.liquid"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static HttpClient Browser() => PageClient.Browser();

    private static Task<HttpResponseMessage> LoginAsync(HttpClient browser, string username, string returnUrl, string? password = null) =>
        PageClient.PostLoginAsync(browser, username, returnUrl, password);

    private static string Token(string page) => PageClient.Token(page);
}
