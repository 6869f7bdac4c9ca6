using System.Net;

namespace WageClue.Server.Tests.Hardening;

/// <summary>Issue 13: idle browser sessions end after Auth:IdleTimeout (30 minutes by default); the page's own reloads keep nothing alive.</summary>
public class IdleSessionTests : ApiTest
{
    [Test]
    public async Task A_browser_session_ends_after_thirty_idle_minutes_and_activity_or_a_keepalive_extends_it()
    {
        await using var app = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Auth:IdleTimeout"] = "00:30:00" });
        app.ResetTime(Time.GetUtcNow());
        var browser = await PageClient.LoginAsync("cw.zd", app);
        var page = await (await browser.GetAsync("/workbench")).Content.ReadAsStringAsync();
        Assert.That(page, Does.Contain("data-idle-seconds=\"1800\""), "the page knows when to warn");

        app.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.That((await browser.GetAsync("/workbench")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        app.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.That((await browser.GetAsync("/account/keepalive")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "继续使用");
        app.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.That((await browser.GetAsync("/workbench")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "58 minutes in, never 30 idle");

        // The dashboard's reload of itself is marked and is no activity.
        app.Time.Advance(TimeSpan.FromMinutes(20));
        var auto = new HttpRequestMessage(HttpMethod.Get, "/workbench");
        auto.Headers.Add("Cookie", "wageclue.auto=1");
        Assert.That((await browser.SendAsync(auto)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        app.Time.Advance(TimeSpan.FromMinutes(11));
        var ended = await browser.GetAsync("/workbench");
        Assert.That(ended.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "31 minutes since the last real activity");
        Assert.That(ended.Headers.Location?.ToString(), Does.Contain("/login"));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.That((await browser.GetAsync("/workbench")).StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "ended for good, not only refused once");
    }

    [Test]
    public async Task A_bearer_token_is_not_ended_by_idleness()
    {
        await using var app = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Auth:IdleTimeout"] = "00:30:00" });
        app.ResetTime(Time.GetUtcNow());
        var api = await Api.LoginAsync(app.CreateClient(), "hotline", TestHost.Password);
        app.Time.Advance(TimeSpan.FromHours(2));
        Assert.That((await api.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the hotline system's token lasts its lifetime");
    }
}
