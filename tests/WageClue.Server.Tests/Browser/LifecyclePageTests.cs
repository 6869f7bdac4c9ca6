using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WageClue.Server.Tests.Browser;

/// <summary>The lifecycle of definition version 2 as caseworkers and supervisors use it in the browser.</summary>
public class LifecyclePageTests : BrowserTest
{
    private static long Id(string user) => TestHost.UserIds[user];

    private async Task<(Api Cw, long Id, string Code)> AcceptedAsync(string employer)
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync(Api.NewClue(c => c["employerName"] = employer));
        await cw.DoAsync(clue.Id(), "accept", new { assigneeId = Id("cw.zd") });
        return (cw, clue.Id(), clue.Str("trackingCode"));
    }

    [Test]
    public async Task A_supervisor_approves_an_extension_from_the_workbench_and_sees_the_new_deadline()
    {
        var (cw, id, code) = await AcceptedAsync("淄博某物流有限公司");
        await cw.DoAsync(id, "request-extension", new { clock = "feedback", days = 2, reason = "需调取考勤记录" });

        await LoginAsync("sup.zd");
        await Page.GotoAsync("/workbench");
        var row = Page.Locator("#extensions-to-decide tr", new() { HasText = code });
        await Expect(row).ToContainTextAsync("3日反馈申请延长 2 个工作日");
        await row.GetByRole(AriaRole.Link, new() { Name = code }).ClickAsync();
        await Expect(Page.Locator("[data-clock='feedback']").Locator("..")).ToContainTextAsync("延期申请待审批：延长 2 个工作日");

        await DoAsync("批准延期", async form => await form.GetByLabel("审批意见").FillAsync("同意延长"));
        var feedback = Page.Locator("tr", new() { Has = Page.Locator("[data-clock='feedback']") });
        await Expect(feedback).ToContainTextAsync("2026年12月2日 17:30");
        await Expect(feedback).ToContainTextAsync("已延期 2 个工作日，原时限 2026年11月30日 17:30");
        await Expect(Page.Locator("ol.timeline")).ToContainTextAsync("3日反馈延长 2 个工作日：2026年11月30日 17:30 → 2026年12月2日 17:30");
        await ScreenshotAsync("clue-extension-approved");
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task A_caseworker_sees_an_urge_on_the_workbench_and_replies_to_it()
    {
        var (_, id, code) = await AcceptedAsync("淄博某机械加工厂");
        await (await TestHost.As("sup.zd")).DoAsync(id, "urge", new { trigger = "unresolved", instruction = "请今日报告与企业对接情况" });

        await LoginAsync("cw.zd");
        var row = Page.Locator("#urges-to-answer tr", new() { HasText = code });
        await Expect(row).ToContainTextAsync("回复时限 2026年11月26日 17:30");
        await ScreenshotAsync("workbench-urge");
        await row.GetByRole(AriaRole.Link, new() { Name = code }).ClickAsync();
        await Expect(Page.Locator("ol.timeline")).ToContainTextAsync("督办要求：请今日报告与企业对接情况");

        await DoAsync("回复督办", async form => await form.GetByLabel("回复内容").FillAsync("已电话联系企业负责人，明日上门核查"));
        await Expect(Page.Locator("[data-clock='urge-reply']")).ToHaveTextAsync(new Regex("^已按时完成"));
        await Page.GetByRole(AriaRole.Link, new() { Name = "工作台" }).ClickAsync();
        await Expect(Page.Locator("#urges-to-answer")).ToHaveCountAsync(0);
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task A_follow_up_marked_unsatisfied_is_reopened_by_the_supervisor()
    {
        var (cw, id, code) = await AcceptedAsync("淄博某餐饮管理有限公司");
        await cw.DoAsync(id, "connect", new { whom = "店长", how = "visit" });
        await cw.DoAsync(id, "mediate", new { });
        await cw.DoAsync(id, "resolve", new { outcomeType = "mediated-payment", outcome = "调解后支付", amountRecovered = 15800m, workersPaid = 3 });

        await LoginAsync("cw.zd");
        await Page.GotoAsync($"/clues/{id}");
        await DoAsync("回访", async form =>
        {
            await form.GetByLabel("回访方式").SelectOptionAsync("phone");
            await form.GetByLabel("满意度").SelectOptionAsync(new SelectOptionValue { Label = "不满意" });
            await form.GetByLabel("回访情况").FillAsync("一名服务员称未收到最后一个月工资");
        });
        await Expect(Page.Locator("[data-satisfaction]")).ToHaveTextAsync("不满意");
        await Expect(Page.Locator("details.action summary", new() { HasText = "重办" })).ToHaveCountAsync(0);

        await Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await LoginAsync("sup.zd");
        await Page.GotoAsync($"/clues/{id}");
        await DoAsync("重办", async form => await form.GetByLabel("重办原因").FillAsync("回访不满意：尚有一人未兑付"));
        await Expect(Page.Locator("h1")).ToContainTextAsync("办理中");
        await Expect(Page.Locator("ol.timeline > li > strong").Last).ToHaveTextAsync("重办");
        await ScreenshotAsync("clue-reopened");

        await Page.GotoAsync("/dashboard");
        await Expect(Page.Locator("#follow-up tr[data-district='370303']")).ToContainTextAsync("100.0%");
        await ScreenshotAsync("dashboard-lifecycle");
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task A_suspended_clue_shows_its_paused_clocks_and_the_dashboard_lists_it()
    {
        var (_, id, code) = await AcceptedAsync("淄博某装饰工程有限公司");
        await LoginAsync("cw.zd");
        await Page.GotoAsync($"/clues/{id}");
        await DoAsync("中止", async form =>
        {
            await form.GetByLabel("中止原因").SelectOptionAsync("awaiting-material");
            await form.GetByLabel("中止说明").FillAsync("请反映人补充考勤记录");
        });
        await Expect(Page.Locator("[data-clock='connect']")).ToContainTextAsync("已中止（剩余");
        await Expect(Page.Locator("details.action summary", new() { HasText = "恢复办理" })).ToHaveCountAsync(1);

        await Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await LoginAsync("sup.zd");
        await Expect(Page.Locator("#paused tr", new() { HasText = code })).ToContainTextAsync("等待反映人补正材料");
    }

    [Test]
    public async Task The_integration_account_cannot_log_in_to_the_pages()
    {
        await Page.GotoAsync("/login");
        await Page.GetByLabel("用户名").FillAsync("hotline");
        await Page.GetByLabel("密码").FillAsync(TestHost.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        await Expect(Page.Locator("main")).ToContainTextAsync("系统接口账号只能通过接口（API）使用");
        Assert.That(Page.Url, Does.Contain("/login"));
    }
}
