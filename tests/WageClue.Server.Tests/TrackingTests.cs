using System.Net;

namespace WageClue.Server.Tests;

public class TrackingTests : ApiTest
{
    [Test]
    public async Task A_complainant_sees_the_progress_by_tracking_code_without_anyones_personal_data()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        var id = clue.Id();
        await cw.DoAsync(id, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        await cw.DoAsync(id, "connect", new { whom = "代理商 孙经理 13800001111", how = "phone" });
        await cw.DoAsync(id, "feedback", new { message = "已联系单位" });
        await (await TestHost.As("sup.zd")).DoAsync(id, "reassign", new { assigneeId = TestHost.UserIds["cw2.zd"], reason = "调整" });

        var anonymous = TestHost.App.CreateClient();
        var response = await anonymous.GetAsync($"/api/track/{clue.Str("trackingCode").ToLowerInvariant()}");
        var body = await response.Content.ReadAsStringAsync();
        var progress = await Api.ExpectAsync(response, HttpStatusCode.OK);

        Assert.That(progress.Str("stateName"), Is.EqualTo("已对接"));
        Assert.That(progress["progress"]!.AsArray().Select(p => p!.Str("event")), Is.EqualTo(new[] { "已登记", "已受理", "已对接", "已告知处理进展" }));
        foreach (var secret in new[] { "刘洋", "13905331234", "测试cw", "孙经理", "13800001111", "配送服务", "调整" })
            Assert.That(body, Does.Not.Contain(secret));
    }

    [Test]
    public async Task A_rejection_shows_its_reason_to_the_complainant()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.DoAsync(clue.Id(), "reject", new { reason = "属于消费纠纷，请拨打12315" });
        var progress = await Api.ExpectAsync(await TestHost.App.CreateClient().GetAsync($"/api/track/{clue.Str("trackingCode")}"), HttpStatusCode.OK);
        var last = progress["progress"]!.AsArray().Last()!;
        Assert.That((last.Str("event"), last.Str("detail")), Is.EqualTo(("不予受理", "属于消费纠纷，请拨打12315")));
    }

    [Test]
    public async Task An_unknown_or_malformed_code_reveals_nothing()
    {
        var anonymous = TestHost.App.CreateClient();
        Assert.That((await anonymous.GetAsync("/api/track/ZB2222222222")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var bad = await Api.ExpectAsync(await anonymous.GetAsync("/api/track/12345"), HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!["trackingCode"], Is.Not.Null);
    }

    [Test]
    public async Task Lookups_are_rate_limited_per_client()
    {
        await using var app = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Auth:TrackingLookupsPerMinute"] = "2" });
        var client = app.CreateClient();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) codes.Add((await client.GetAsync("/api/track/ZB2222222222")).StatusCode);
        Assert.That(codes, Is.EqualTo(new[] { HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }));
    }
}
