using System.Net;
using System.Net.Http.Json;

namespace WageClue.Server.Tests.Hardening;

/// <summary>
/// Issue 13, findings 1 and 3: the lockout was an oracle (a real name answered differently) and a weapon (anyone
/// could keep admin locked); the login limit counted views of the form. Now failures are counted per name and
/// address, the same for names that exist and names that do not, and only attempts count, on every node.
/// </summary>
public class LoginThrottleTests : ApiTest
{
    private static HttpRequestMessage Token(string username, string password, string from) =>
        new(HttpMethod.Post, "/api/auth/token")
        {
            Content = JsonContent.Create(new { username, password }),
            Headers = { { TestClientAddress.Header, from } },
        };

    private static async Task<string> AnswerAsync(HttpClient client, string username, string password, string from)
    {
        var response = await client.SendAsync(Token(username, password, from));
        var body = await response.Content.ReadAsStringAsync();
        var detail = System.Text.Json.Nodes.JsonNode.Parse(body)?["detail"]?.GetValue<string>();
        return $"{(int)response.StatusCode} {detail}";
    }

    [Test]
    public async Task A_real_name_and_an_unknown_one_get_the_same_answers_attempt_after_attempt()
    {
        var client = TestHost.App.CreateClient();
        var real = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            real.Add(await AnswerAsync(client, "admin", "guess-" + i, "203.0.113.7"));
            unknown.Add(await AnswerAsync(client, "zhangsan.nobody", "guess-" + i, "203.0.113.7"));
        }
        Assert.That(real, Is.EqualTo(unknown));
        Assert.That(real[0], Is.EqualTo("401 用户名或密码错误"));
        Assert.That(real[5], Is.EqualTo("429 登录失败次数过多，请 1 分钟后再试"), "the fifth failure starts the wait");
    }

    [Test]
    public async Task A_stranger_guessing_admin_does_not_keep_the_real_admin_out()
    {
        var client = TestHost.App.CreateClient();
        for (var i = 0; i < 20; i++) await client.SendAsync(Token("admin", "guess-" + i, "198.51.100.9"));
        Assert.That(await AnswerAsync(client, "admin", "guess-x", "198.51.100.9"), Does.StartWith("429"));

        var response = await client.SendAsync(Token("admin", TestHost.Password, "10.20.30.40"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the real admin, at the bureau, logs in");
    }

    [Test]
    public async Task Each_failure_past_the_threshold_doubles_the_wait_and_the_right_password_waits_too()
    {
        var client = TestHost.App.CreateClient();
        const string from = "192.0.2.33";
        for (var i = 0; i < 5; i++) await client.SendAsync(Token("cw.zd", "guess-" + i, from));
        Assert.That(await AnswerAsync(client, "cw.zd", TestHost.Password, from), Is.EqualTo("429 登录失败次数过多，请 1 分钟后再试"),
            "while the wait runs even the right password waits, so the wait tells nothing");

        Time.Advance(TimeSpan.FromSeconds(61));
        Assert.That(await AnswerAsync(client, "cw.zd", "guess-5", from), Is.EqualTo("401 用户名或密码错误"));
        Assert.That(await AnswerAsync(client, "cw.zd", "guess-6", from), Is.EqualTo("429 登录失败次数过多，请 2 分钟后再试"));
        Time.Advance(TimeSpan.FromSeconds(121));
        await client.SendAsync(Token("cw.zd", "guess-7", from));
        Assert.That(await AnswerAsync(client, "cw.zd", "guess-8", from), Is.EqualTo("429 登录失败次数过多，请 4 分钟后再试"));

        Time.Advance(TimeSpan.FromMinutes(5));
        Assert.That(await AnswerAsync(client, "cw.zd", TestHost.Password, from), Does.StartWith("200"));
        Assert.That(await AnswerAsync(client, "cw.zd", "guess-9", from), Is.EqualTo("401 用户名或密码错误"), "a success starts the count again");
    }

    [Test]
    public async Task An_administrators_password_reset_lifts_the_waits()
    {
        var admin = await TestHost.As("admin");
        var name = $"reset.{Guid.NewGuid():N}"[..20];
        var created = await Api.ExpectAsync(await admin.Http.PostAsJsonAsync("/api/users",
            new { username = name, displayName = "重置测试", role = "caseworker", districts = new[] { "370304" }, password = "Zibo-reset-2026" }), HttpStatusCode.Created);
        var client = TestHost.App.CreateClient();
        for (var i = 0; i < 6; i++) await client.SendAsync(Token(name, "guess-" + i, "192.0.2.50"));
        await Api.ExpectAsync(await admin.PutAsync($"/api/users/{created.Id()}", new { password = "Zibo-another-2026" }), HttpStatusCode.OK);
        Assert.That(await AnswerAsync(client, name, "Zibo-another-2026", "192.0.2.50"), Does.StartWith("200"));
    }

    [Test]
    public async Task Views_of_the_login_form_do_not_count_only_attempts_and_two_nodes_share_one_limit()
    {
        var settings = new Dictionary<string, string?> { ["Auth:LoginAttemptsPerMinute"] = "3" };
        await using var node1 = new WageClueApp(TestHost.ConnectionString, settings);
        await using var node2 = new WageClueApp(TestHost.ConnectionString, settings);
        node1.ResetTime(Time.GetUtcNow());
        node2.ResetTime(Time.GetUtcNow());
        var browser = PageClient.Browser(node1);
        for (var i = 0; i < 20; i++)
        {
            var view = new HttpRequestMessage(HttpMethod.Get, "/login") { Headers = { { TestClientAddress.Header, "192.0.2.80" } } };
            Assert.That((await browser.SendAsync(view)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        var codes = new List<HttpStatusCode>();
        foreach (var node in new[] { node1, node2, node1, node2 })
            codes.Add((await node.CreateClient().SendAsync(Token("cw.zd", TestHost.Password, "192.0.2.80"))).StatusCode);
        Assert.That(codes, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var refused = await node2.CreateClient().SendAsync(Token("cw.zd", TestHost.Password, "192.0.2.80"));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
        Assert.That((await node1.CreateClient().SendAsync(Token("cw.zd", TestHost.Password, "192.0.2.81"))).StatusCode, Is.EqualTo(HttpStatusCode.OK),
            "another address has its own limit");
    }

    [Test]
    public async Task The_login_form_answers_a_wait_in_the_same_words_for_every_name()
    {
        var browser = PageClient.Browser();
        string last = "";
        foreach (var name in new[] { "admin", "nobody.here" })
        {
            for (var i = 0; i < 6; i++)
                last = await (await PageClient.PostLoginAsync(browser, name, "/", "guess-" + i)).Content.ReadAsStringAsync();
            Assert.That(last, Does.Contain("登录失败次数过多，请 1 分钟后再试"), name);
        }
    }
}
