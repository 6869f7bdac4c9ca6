using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WageClue.Server.Tests.Browser;

/// <summary>Employers, credit records and the listing workflow as supervisors, caseworkers and the public use them in the browser.</summary>
public class ListingPageTests : BrowserTest
{
    /// <summary>Both hosts' clocks (the API's and the browser's site) at the same instant.</summary>
    private static void At(string isoLocal)
    {
        Time.SetUtcNow(Local(isoLocal));
        Site.Time.SetUtcNow(Local(isoLocal));
    }

    [Test]
    public async Task A_supervisor_takes_a_listing_from_the_clue_through_notice_and_decision_to_the_public_announcement()
    {
        TestHost.App.ResetTime(Local("2026-09-21T09:00:00"));
        Site.ResetTime(Local("2026-09-21T09:00:00"));
        var cw = await TestHost.As("cw.zd");
        var clueId = await EmployerApiTests.ResolvedAsync(cw);
        At("2026-09-28T10:00:00");

        await LoginAsync("sup.zd");
        await Page.GotoAsync($"/clues/{clueId}");
        await Page.GetByRole(AriaRole.Link, new() { Name = "启动失信联合惩戒名单程序" }).ClickAsync();
        await Page.GetByLabel("责令限期支付文书文号").FillAsync("淄张人社监令〔2026〕18号");
        await Page.GetByLabel("责令支付期限届满日").FillAsync("2026-09-30");
        await Page.GetByRole(AriaRole.Button, new() { Name = "启动程序" }).ClickAsync();
        await Expect(Page.Locator("#orderDeadline-error")).ToContainTextAsync("尚未届满");
        await Expect(Page.Locator("#amount-error")).ToContainTextAsync("未达到列入标准（30,000 元）");
        await Page.GetByLabel("责令支付期限届满日").FillAsync("2026-09-25");
        await Page.GetByLabel("拖欠金额（元）").FillAsync("428000");
        await Page.GetByRole(AriaRole.Button, new() { Name = "启动程序" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("已启动失信联合惩戒名单程序");
        await Expect(Page.Locator("[data-clock='decision']").Locator("xpath=ancestor::tr")).ToContainTextAsync("2026年10月29日 17:30");

        At("2026-09-29T10:00:00");
        await Page.ReloadAsync();
        await DoAsync("送达告知书", async form => await form.GetByLabel("告知书文号").FillAsync("淄人社告〔2026〕9号"));
        await Expect(Page.Locator("[data-clock='objection']").Locator("xpath=ancestor::tr")).ToContainTextAsync("2026年10月12日 17:30");
        await Expect(Page.Locator("[data-clock='objection']")).ToHaveTextAsync(new Regex("^期间内"));
        await Expect(Page.Locator("details.action summary", new() { HasText = "作出列入决定" })).ToHaveCountAsync(0);

        At("2026-10-13T09:30:00");
        await Page.ReloadAsync();
        await DoAsync("作出列入决定", async form =>
        {
            await form.GetByLabel("决定书文号").FillAsync("淄人社失信〔2026〕3号");
            await form.GetByLabel("列入事由").FillAsync("拖欠6名农民工工资，经责令限期支付逾期未支付");
            await form.GetByLabel("列入依据").FillAsync("人社部令第45号第五条");
            await form.GetByLabel("联合惩戒措施").FillAsync("限制政府资金支持、政府采购、招投标");
            await form.GetByLabel("提前移出的条件和程序").FillAsync("改正满6个月并书面信用承诺后可申请");
            await form.GetByLabel("救济措施（复议、诉讼途径）").FillAsync("60日内申请行政复议或6个月内提起行政诉讼");
            await form.GetByLabel("法定代表人").FillAsync("王建国");
        });
        await Expect(Page.Locator("h1")).ToContainTextAsync("已列入名单");
        await Expect(Page.Locator("[data-clock='objection']")).ToHaveTextAsync("已届满");
        await Expect(Page.Locator("[data-clock='term']").Locator("xpath=ancestor::tr")).ToContainTextAsync("2029年10月14日 00:00");
        await Expect(Page.Locator("ol.timeline")).ToContainTextAsync("名单期限开始，至 2029年10月14日 00:00 届满");
        await Page.Locator("#diagram summary").ClickAsync();
        await Expect(Page.Locator("pre.mermaid svg")).ToBeVisibleAsync(BrowserTest.MermaidDrawn);
        await Expect(Page.Locator("pre.mermaid")).Not.ToContainTextAsync("Syntax error");
        await Expect(Page.Locator("pre.mermaid")).ToContainTextAsync("作出列入决定");
        await ScreenshotAsync("listing-decided");
        await AssertFitsAPhoneAsync("listing-decided-phone");

        await Page.GotoAsync("/dashboard");
        await Expect(Page.Locator("#listing-panel")).ToContainTextAsync("已列入名单 1");
        await Expect(Page.Locator("#listing-panel .top-employers").First).ToContainTextAsync("淄博某某配送服务有限公司");
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task The_public_announcement_shows_listed_employers_without_login_and_nothing_personal()
    {
        TestHost.App.ResetTime(Local("2026-09-21T09:00:00"));
        var cw = await TestHost.As("cw.zd");
        var clueId = await EmployerApiTests.ResolvedAsync(cw);
        var sup = await TestHost.As("sup.zd");
        Time.SetUtcNow(Local("2026-09-28T10:00:00"));
        var id = (await Api.ExpectAsync(await sup.PostAsync("/api/listings",
            $$"""{"clueId":{{clueId}},"orderNumber":"令18","orderDeadline":"2026-09-25","amount":428000}"""), System.Net.HttpStatusCode.Created)).Id();
        await Api.ExpectAsync(await sup.PostAsync($"/api/listings/{id}/actions/issue-notice", """{"noticeNumber":"告9"}"""), System.Net.HttpStatusCode.OK);
        Time.SetUtcNow(Local("2026-10-13T09:30:00"));
        await Api.ExpectAsync(await sup.PostAsync($"/api/listings/{id}/actions/decide", """
            {"decisionNumber":"淄人社失信〔2026〕3号","reason":"拖欠6名农民工工资28600元逾期未付","basis":"第五条","sanctions":"限制招投标",
             "removalConditions":"改正满6个月","remedies":"复议或诉讼","legalRepresentative":"王建国","responsiblePersons":"李明"}
            """), System.Net.HttpStatusCode.OK);
        Site.ResetTime(Local("2026-10-14T09:00:00"));

        await Page.GotoAsync("/gongshi");
        var card = Page.Locator("article.announcement", new() { HasText = "淄博某某配送服务有限公司" });
        await Expect(card).ToContainTextAsync("91350100M000100Y43");
        await Expect(card).ToContainTextAsync("王建国");
        await Expect(card).ToContainTextAsync("2029年10月13日");
        var text = await Page.Locator("main").InnerTextAsync();
        Assert.That(text, Does.Not.Contain("刘洋").And.Not.Contain("13905331234").And.Not.Contain("李明"));
        Assert.That(Page.Url, Does.Not.Contain("/login"), "no login");
        await ScreenshotAsync("public-announcement");
        await AssertFitsAPhoneAsync("public-announcement-phone");
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task The_intake_form_warns_of_an_employer_with_open_clues_and_a_record_and_the_caseworker_confirms_it()
    {
        var cw = await TestHost.As("cw.zd");
        TestHost.App.ResetTime(Local("2026-11-20T09:00:00"));
        var resolved = await EmployerApiTests.ResolvedAsync(cw, clue: Api.NewClue(c => { c["employerName"] = "淄博华信建筑劳务有限公司"; c.Remove("employerCreditCode"); }));
        await Api.ExpectAsync(await cw.PostAsync($"/api/clues/{resolved}/credit-record", """{"finding":"拖欠4名农民工工资"}"""), System.Net.HttpStatusCode.Created);
        await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "淄博华信建筑劳务有限公司"; c.Remove("employerCreditCode"); }));

        await LoginAsync("cw.zd");
        await Page.GotoAsync("/clues/new");
        await Page.GetByLabel("线索来源").SelectOptionAsync("walk-in");
        await Page.GetByLabel("姓名").FillAsync("孙大伟");
        await Page.GetByLabel("联系电话").FillAsync("13905339999");
        await Page.GetByLabel("用人单位名称").FillAsync("华信建筑劳务");
        var box = Page.Locator("#employer-matches");
        await Expect(box).ToContainTextAsync("注意：该用人单位已有办理记录");
        await Expect(box).ToContainTextAsync("在办 2 条");
        await Expect(box).ToContainTextAsync("不良行为记录 1 条");
        await ScreenshotAsync("intake-employer-warning");
        await AssertFitsAPhoneAsync("intake-employer-warning-phone");
        await box.GetByRole(AriaRole.Button, new() { Name = "是同一单位" }).ClickAsync();
        await Expect(box.GetByRole(AriaRole.Button, new() { Name = "已确认为同一单位" })).ToBeVisibleAsync();
        await Page.GetByLabel("涉及人数").FillAsync("2");
        await Page.GetByLabel("欠薪金额（元）").FillAsync("9000");
        await Page.GetByLabel("反映内容").FillAsync("两名钢筋工反映11月工资未付。");
        await Page.GetByRole(AriaRole.Button, new() { Name = "登记", Exact = true }).ClickAsync();
        // The same employer's recent clues are shown before saving; the caseworker registers anyway.
        var duplicates = Page.Locator("#duplicates");
        await Expect(duplicates).ToContainTextAsync("近 30 天内已有 2 条可能重复的线索");
        await Expect(duplicates).ToContainTextAsync("同一用人单位");
        await ScreenshotAsync("intake-duplicates");
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(2), "nothing saved yet");
        await duplicates.GetByRole(AriaRole.Button, new() { Name = "核对无误，仍要登记" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("线索已登记。请告知反映人：查询码 ZB");

        // The clue page shows the employer at a glance; its page lists all three clues and the record.
        var employerCard = Page.Locator("section[data-employer]");
        await Expect(employerCard).ToContainTextAsync("多次被反映");
        await Expect(employerCard).ToContainTextAsync("3 条（在办 3 条）");
        await employerCard.GetByRole(AriaRole.Link, new() { Name = "淄博华信建筑劳务有限公司" }).ClickAsync();
        await Expect(Page.Locator("#clues tbody tr")).ToHaveCountAsync(3);
        await Expect(Page.Locator("#credit")).ToContainTextAsync("拖欠4名农民工工资");
        await ScreenshotAsync("employer");
        await AssertFitsAPhoneAsync("employer-phone");
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task A_supervisor_confirms_a_credit_record_and_corrects_it_with_a_reason_keeping_the_earlier_values()
    {
        var cw = await TestHost.As("cw.zd");
        var clueId = await EmployerApiTests.ResolvedAsync(cw);

        await LoginAsync("cw.zd");
        await Page.GotoAsync($"/clues/{clueId}");
        var card = Page.Locator("#credit-record");
        await card.Locator("summary", new() { HasText = "登记不良行为记录" }).ClickAsync();
        await card.GetByLabel("认定的欠薪事实").FillAsync("拖欠6名骑手10月工资28600元，经责令逾期未付");
        await card.GetByRole(AriaRole.Button, new() { Name = "登记并提交负责人确认" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("已登记不良行为记录，待负责人确认");
        await Expect(Page.Locator("[data-credit-status]")).ToHaveTextAsync("待确认");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "确认不良行为记录" })).ToHaveCountAsync(0);

        await Page.Context.ClearCookiesAsync();
        await LoginAsync("sup.zd");
        await Page.GotoAsync($"/clues/{clueId}");
        await Page.GetByRole(AriaRole.Button, new() { Name = "确认不良行为记录" }).ClickAsync();
        await Expect(Page.Locator("[data-credit-status]")).ToHaveTextAsync("已确认");
        await Page.GetByRole(AriaRole.Link, new() { Name = "用人单位页面" }).ClickAsync();
        var record = Page.Locator("article.record").First;
        await record.Locator("summary", new() { HasText = "更正或撤回" }).ClickAsync();
        await record.GetByLabel("金额（元）").FillAsync("26000");
        await record.GetByRole(AriaRole.Button, new() { Name = "提交更正" }).ClickAsync();
        await Expect(record.Locator(".field-error")).ToContainTextAsync("请填写更正理由");
        await record.GetByLabel("更正理由").FillAsync("复核工资表后核减2600元");
        await record.GetByRole(AriaRole.Button, new() { Name = "提交更正" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("已更正不良行为记录");
        record = Page.Locator("article.record").First;
        await record.Locator("summary", new() { HasText = "修订记录" }).ClickAsync();
        await Expect(record).ToContainTextAsync("金额 28,600.00 元");
        await Expect(record).ToContainTextAsync("理由：复核工资表后核减2600元");
        await Expect(record).ToContainTextAsync("金额 26,000.00 元");
        await ScreenshotAsync("employer-credit-corrected");
        Assert.That(ConsoleErrors, Is.Empty);
    }
}
