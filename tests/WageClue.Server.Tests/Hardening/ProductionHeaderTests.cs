using System.Net;

namespace WageClue.Server.Tests.Hardening;

/// <summary>Issue 13, finding 8: the headers of a Production node behind the bureau's TLS proxy.</summary>
public class ProductionHeaderTests : ApiTest
{
    private static WageClueApp Production() =>
        new(TestHost.ConnectionString, new Dictionary<string, string?> { ["environment"] = "Production" });

    /// <summary>A request as the proxy forwards it: from loopback (a known proxy), with the client's scheme.</summary>
    private static HttpRequestMessage Forwarded(HttpMethod method, string url, string scheme = "https") => new(method, url)
    {
        Headers = { { TestClientAddress.Header, "127.0.0.1" }, { "X-Forwarded-Proto", scheme }, { "Host", "wageclue.zibo.example" } },
    };

    [Test]
    public async Task Plain_http_is_redirected_to_https_and_https_answers_carry_hsts_except_the_health_probe()
    {
        await using var app = Production();
        var client = PageClient.Browser(app);
        var plain = await client.SendAsync(Forwarded(HttpMethod.Get, "/login", "http"));
        Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect), await plain.Content.ReadAsStringAsync());
        Assert.That(plain.Headers.Location?.ToString(), Does.StartWith("https://wageclue.zibo.example/login"));

        var secure = await client.SendAsync(Forwarded(HttpMethod.Get, "/login"));
        Assert.That(secure.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(secure.Headers.GetValues("Strict-Transport-Security").Single(), Does.Contain("max-age=31536000"));
        var cookies = secure.Headers.GetValues("Set-Cookie").ToList();
        Assert.That(cookies, Is.Not.Empty);
        Assert.That(cookies, Has.All.Contain("secure"), "the antiforgery cookie is Secure");

        var health = await client.SendAsync(Forwarded(HttpMethod.Get, "/health", "http"));
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the load balancer's probe inside the network");
    }

    [Test]
    public async Task The_hangfire_dashboard_cannot_be_framed_and_api_answers_are_not_stored()
    {
        await using var app = Production();
        var client = PageClient.Browser(app);
        var dashboard = await client.SendAsync(Forwarded(HttpMethod.Get, "/hangfire"));
        Assert.That(dashboard.Headers.GetValues("Content-Security-Policy").Single(), Does.Contain("frame-ancestors 'none'"));
        Assert.That(dashboard.Headers.GetValues("X-Frame-Options").Single(), Is.EqualTo("DENY"));

        var login = Forwarded(HttpMethod.Post, "/api/auth/token");
        login.Content = System.Net.Http.Json.JsonContent.Create(new { username = "cw.zd", password = TestHost.Password });
        var token = await client.SendAsync(login);
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(token.Headers.CacheControl?.NoStore, Is.True, "a token answer is never cached");
        var bearer = System.Text.Json.Nodes.JsonNode.Parse(await token.Content.ReadAsStringAsync())!.Str("accessToken");
        var list = Forwarded(HttpMethod.Get, "/api/clues");
        list.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        var clues = await client.SendAsync(list);
        Assert.That(clues.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(clues.Headers.CacheControl?.NoStore, Is.True);
    }
}
