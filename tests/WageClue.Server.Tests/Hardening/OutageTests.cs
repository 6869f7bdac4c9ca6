using System.Net;

namespace WageClue.Server.Tests.Hardening;

/// <summary>A database that cannot be reached answers 503 in Chinese with Retry-After and the usual headers, never a 500.</summary>
public class OutageTests : ApiTest
{
    [Test]
    public async Task While_the_database_is_away_requests_get_503_with_retry_after_and_afterwards_work_again()
    {
        await using var proxy = TcpProxy.ForTestDatabase();
        await using var app = proxy.App();
        var cw = await Api.LoginAsync(app.CreateClient(), "cw.zd", TestHost.Password);
        await cw.RegisterAsync();
        var page = await PageClient.LoginAsync("cw.zd", app);

        proxy.Stop();
        var api = await cw.PostAsync("/api/clues", Api.NewClue().ToJsonString());
        var problem = await Api.ExpectAsync(api, HttpStatusCode.ServiceUnavailable);
        Assert.That(problem.Str("title"), Is.EqualTo("服务暂时不可用"));
        Assert.That(api.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(api.Headers.GetValues("X-Content-Type-Options"), Is.EqualTo(new[] { "nosniff" }));
        var html = await page.GetAsync("/workbench");
        Assert.That(html.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(await html.Content.ReadAsStringAsync(), Does.Contain("系统暂时无法访问数据库"));
        Assert.That(html.Headers.Contains("Content-Security-Policy"), Is.True);

        proxy.Start();
        var again = DateTime.UtcNow.AddSeconds(10);
        HttpResponseMessage answer;
        do answer = await cw.PostAsync("/api/clues", Api.NewClue().ToJsonString());
        while (answer.StatusCode != HttpStatusCode.Created && DateTime.UtcNow < again);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(2));
    }
}
