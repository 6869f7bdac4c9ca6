using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WageClue.Server.Tests.Browser;

/// <summary>The complainant's progress page, as a complainant opens it on a phone.</summary>
public class TrackPageTests : BrowserTest
{
    [Test]
    public async Task A_complainant_looks_up_the_progress_on_a_phone_with_the_code_and_the_last_four_digits()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.DoAsync(clue.Id(), "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        await cw.DoAsync(clue.Id(), "feedback", new { message = "已约谈代理商孙经理" });
        var code = clue.Str("trackingCode");

        await Page.SetViewportSizeAsync(390, 844);
        await Page.GotoAsync("/track");
        await Page.GetByLabel("查询码").FillAsync(code.ToLowerInvariant());
        await Page.GetByLabel("手机号后4位").FillAsync("0000");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("没有找到对应的线索");
        await Expect(Page.Locator("#progress")).ToHaveCountAsync(0);

        await Page.GetByLabel("手机号后4位").FillAsync("1234");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        var progress = Page.Locator("#progress");
        await Expect(progress).ToContainTextAsync("已受理");
        await Expect(progress).ToContainTextAsync("已告知处理进展");
        await Expect(progress).ToContainTextAsync("张店区");
        var text = await Page.Locator("main").InnerTextAsync();
        Assert.That(text, Does.Not.Contain("刘洋").And.Not.Contain("13905331234").And.Not.Contain("孙经理").And.Not.Contain("配送服务"));
        Assert.That(Page.Url, Does.Not.Contain("1234"), "the digits are posted, never in the address");
        Assert.That(await Page.EvaluateAsync<int>("document.documentElement.scrollWidth"), Is.LessThanOrEqualTo(390));
        await ScreenshotAsync("track-phone");
        Assert.That(ConsoleErrors, Is.Empty);
    }
}
