using System.Net;

namespace WageClue.Server.Tests;

/// <summary>The complainant's progress lookup: tracking code and the last 4 digits of the phone, nothing personal shown.</summary>
public class TrackingTests : ApiTest
{
    // Api.NewClue's complainant phone is 13905331234.
    private static string Url(string code, string? digits = "1234") => $"/api/track/{code}" + (digits == null ? "" : $"?phoneLast4={digits}");

    [Test]
    public async Task A_complainant_sees_the_progress_by_tracking_code_without_anyones_personal_data()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        Assert.That(clue.Str("trackingNotice"), Is.EqualTo($"查询码 {clue.Str("trackingCode")}，可在 https://wageclue.test/track 输入查询码和登记手机号后4位查询办理进度"),
            "the intake answer says what to tell the complainant");
        var id = clue.Id();
        await cw.DoAsync(id, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        await cw.DoAsync(id, "connect", new { whom = "代理商 孙经理 13800001111", how = "phone" });
        await cw.DoAsync(id, "feedback", new { message = "已联系单位" });
        await (await TestHost.As("sup.zd")).DoAsync(id, "reassign", new { assigneeId = TestHost.UserIds["cw2.zd"], reason = "调整" });

        var anonymous = TestHost.App.CreateClient();
        var response = await anonymous.GetAsync(Url(clue.Str("trackingCode").ToLowerInvariant()));
        var body = await response.Content.ReadAsStringAsync();
        var progress = await Api.ExpectAsync(response, HttpStatusCode.OK);

        Assert.That(progress.Str("stateName"), Is.EqualTo("已对接"));
        Assert.That(progress["progress"]!.AsArray().Select(p => p!.Str("event")), Is.EqualTo(new[] { "已登记", "已受理", "已对接", "已告知处理进展" }));
        foreach (var secret in new[] { "刘洋", "13905331234", "测试cw", "孙经理", "13800001111", "配送服务", "调整", "已联系单位" })
            Assert.That(body, Does.Not.Contain(secret));
    }

    [Test]
    public async Task A_rejection_shows_its_reason_and_a_resolution_its_kind_to_the_complainant()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.DoAsync(clue.Id(), "reject", new { reason = "属于消费纠纷，请拨打12315" });
        var progress = await Api.ExpectAsync(await TestHost.App.CreateClient().GetAsync(Url(clue.Str("trackingCode"))), HttpStatusCode.OK);
        var last = progress["progress"]!.AsArray().Last()!;
        Assert.That((last.Str("event"), last.Str("detail")), Is.EqualTo(("不予受理", "属于消费纠纷，请拨打12315")));

        var resolved = await EmployerApiTests.ResolvedAsync(cw, "mediated-payment");
        var code = (await cw.GetObjectAsync($"/api/clues/{resolved}")).Str("trackingCode");
        var done = await Api.ExpectAsync(await TestHost.App.CreateClient().GetAsync(Url(code)), HttpStatusCode.OK);
        var step = done["progress"]!.AsArray().Single(p => p!.Str("event") == "已办结")!;
        Assert.That(step.Str("detail"), Is.EqualTo("调解支付"), "the outcome's kind, not the bureau's text");
    }

    [Test]
    public async Task Wrong_digits_answer_like_an_unknown_code_and_a_malformed_request_names_its_field()
    {
        var cw = await TestHost.As("cw.zd");
        var code = (await cw.RegisterAsync()).Str("trackingCode");
        var anonymous = TestHost.App.CreateClient();
        var wrong = await Api.ExpectAsync(await anonymous.GetAsync(Url(code, "9999")), HttpStatusCode.NotFound);
        var unknown = await Api.ExpectAsync(await anonymous.GetAsync(Url("ZB2222222222")), HttpStatusCode.NotFound);
        Assert.That(wrong.Str("detail"), Is.EqualTo(unknown.Str("detail")), "neither the code's existence nor a near miss is revealed");
        var bad = await Api.ExpectAsync(await anonymous.GetAsync(Url("12345", null)), HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "trackingCode", "phoneLast4" }));
    }

    [Test]
    public async Task Lookups_are_rate_limited_per_client()
    {
        await using var app = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Auth:TrackingLookupsPerMinute"] = "2" });
        var client = app.CreateClient();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) codes.Add((await client.GetAsync(Url("ZB2222222222"))).StatusCode);
        Assert.That(codes, Is.EqualTo(new[] { HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests }));
    }
}
