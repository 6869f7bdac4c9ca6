using System.Net;

namespace WageClue.Server.Tests.Hardening;

/// <summary>
/// Issue 13, finding 2: a page on another port of the same host is same-site, so the browser sends the SameSite=Strict
/// session cookie with its auto-submitted form or its image. The API must not act on that cookie.
/// </summary>
public class CrossSiteTests : ApiTest
{
    [Test]
    public async Task An_api_write_or_a_personal_data_view_with_only_the_session_cookie_is_refused_and_writes_nothing()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var supervisor = await PageClient.LoginAsync("sup.zd");
        var before = await TestHost.TableCountsAsync();

        // What <form method=post action=".../actions/reject"> with no fields sends: an empty form body.
        var forged = await supervisor.PostAsync($"/api/clues/{id}/actions/reject", new FormUrlEncodedContent([]));
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var empty = await supervisor.PostAsync($"/api/clues/{id}/actions/reject", null);
        Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        // What <img src=".../complainant"> sends.
        var image = await supervisor.GetAsync($"/api/clues/{id}/complainant");
        Assert.That(image.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.pii_access_log"), Is.Zero);
        Assert.That((await cw.GetObjectAsync($"/api/clues/{id}")).Str("state"), Is.EqualTo("received"));
    }

    [Test]
    public async Task The_page_scripts_one_read_still_works_with_the_cookie_but_not_as_a_post()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync();
        var browser = await PageClient.LoginAsync("cw.zd");
        var matches = await browser.GetAsync("/api/employers/matches?name=" + Uri.EscapeDataString("淄博某某配送服务有限公司"));
        Assert.That(matches.StatusCode, Is.EqualTo(HttpStatusCode.OK), await matches.Content.ReadAsStringAsync());
        Assert.That((await browser.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task Logging_out_a_bearer_token_ends_it()
    {
        var api = await Api.LoginAsync(TestHost.App.CreateClient(), "cw.zd", TestHost.Password);
        var other = await Api.LoginAsync(TestHost.App.CreateClient(), "cw.zd", TestHost.Password);
        Assert.That((await api.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await api.Http.PostAsync("/api/auth/logout", null)).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await api.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await other.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "another token of the same user is its own session");
    }
}
