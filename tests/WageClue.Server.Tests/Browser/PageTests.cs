using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WageClue.Server.Tests.Browser;

public partial class PageTests : BrowserTest
{
    [Test]
    public async Task A_caseworker_registers_a_clue_accepts_connects_and_answers_and_the_page_shows_each_step()
    {
        var hotline = await TestHost.As("cw2.zd");
        await hotline.RegisterAsync(Api.NewClue(c => { c["employerName"] = "淄博某建筑劳务有限公司"; c["receivedAt"] = "2026-11-24T16:00:00+08:00"; }));
        await LoginAsync("cw.zd");
        await Expect(Page).ToHaveURLAsync(new Regex("/workbench$"));
        await Expect(Page.Locator("tr", new() { HasText = "淄博某建筑劳务有限公司" })).ToContainTextAsync("已超时");

        await Page.GetByRole(AriaRole.Link, new() { Name = "登记新线索" }).ClickAsync();
        await Page.GetByRole(AriaRole.Button, new() { Name = "登记", Exact = true }).ClickAsync();
        // Refused: each message beside its field, in Chinese; nothing registered.
        await Expect(Page.Locator("#complainantName-error")).ToContainTextAsync("请填写");
        await Expect(Page.Locator("#channel-error")).ToBeVisibleAsync();
        await ScreenshotAsync("intake-with-errors");

        await Page.GetByLabel("线索来源").SelectOptionAsync("hotline-12345");
        await Page.GetByLabel("姓名").FillAsync("刘洋");
        await Page.GetByLabel("联系电话").FillAsync("13905331234");
        await Page.GetByLabel("用人单位名称").FillAsync("淄博某某配送服务有限公司");
        await Page.GetByLabel("涉及人数").FillAsync("6");
        await Page.GetByLabel("欠薪金额（元）").FillAsync("28600");
        await Page.GetByLabel("反映内容").FillAsync("六名外卖骑手反映10月工资未付。");
        await Page.GetByRole(AriaRole.Button, new() { Name = "登记", Exact = true }).ClickAsync();
        // The same phone called the hotline yesterday: shown before saving, registered once confirmed.
        await Expect(Page.Locator("#duplicates")).ToContainTextAsync("同一反映人电话");
        await Page.GetByRole(AriaRole.Button, new() { Name = "核对无误，仍要登记" }).ClickAsync();

        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("线索已登记。请告知反映人：查询码 ZB");
        await Expect(Clock("accept")).ToHaveTextAsync(new Regex("^剩余"));
        await Expect(Page.Locator("dd", new() { HasText = "刘*" })).ToBeVisibleAsync();

        Site.Time.SetUtcNow(Local("2026-11-25T09:30:00"));
        await DoAsync("受理", async form => await Expect(form.GetByLabel("责任人")).ToHaveValueAsync(TestHost.UserIds["cw.zd"].ToString()));
        await Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync("已受理");
        await Expect(Clock("accept")).ToHaveTextAsync(new Regex("^已按时完成"));

        await DoAsync("对接", async form =>
        {
            await form.GetByLabel("对接对象").FillAsync("代理商 孙经理");
            await form.GetByLabel("对接方式").SelectOptionAsync("phone");
        });
        await DoAsync("反馈", async form => await form.GetByLabel("告知反映人的内容").FillAsync("已联系单位，将跟踪支付。"));

        await Expect(Page.Locator("[data-clock]")).ToHaveTextAsync([new Regex("^已按时完成"), new Regex("^已按时完成"), new Regex("^已按时完成")]);
        await Expect(Page.Locator("ol.timeline > li > strong")).ToHaveTextAsync(["登记线索", "受理", "对接", "反馈"]);
        await Expect(Page.Locator("ol.timeline")).ToContainTextAsync("对接对象（单位及人员）：代理商 孙经理");
        await Page.Locator("#diagram summary").ClickAsync();
        await Expect(Page.Locator(".diagram svg")).ToBeVisibleAsync(BrowserTest.MermaidDrawn); // mermaid drew the diagram once opened
        await ScreenshotAsync("clue");
        Assert.That(ConsoleErrors, Is.Empty, "no script errors and no Content-Security-Policy violations");

        await Page.GetByRole(AriaRole.Link, new() { Name = "工作台" }).ClickAsync();
        await Expect(Page.Locator("section", new() { HasText = "我的线索" }).Locator("tbody tr")).ToContainTextAsync(["淄博某某配送服务有限公司"]);
        await ScreenshotAsync("workbench");
    }

    [Test]
    public async Task A_supervisor_sees_a_clue_three_working_days_old_as_overdue_reassigns_it_and_exports_it()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"));
        var code = clue.Str("trackingCode");

        await LoginAsync("sup.zd");
        await Expect(Page).ToHaveURLAsync(new Regex("/dashboard$"));
        var row = Page.Locator("#overdue tr", new() { HasText = code }).First;
        await Expect(row).ToContainTextAsync("已超时");
        await Expect(row).ToContainTextAsync("未分派");
        await ScreenshotAsync("dashboard");

        await row.Locator("summary", new() { HasText = "改派" }).ClickAsync();
        await row.GetByLabel("改派给").SelectOptionAsync(new SelectOptionValue { Label = "测试cw2.zd" });
        await row.GetByLabel("改派原因").FillAsync("原承办人休假");
        await row.GetByRole(AriaRole.Button, new() { Name = "确认改派" }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync($"线索 {code} 已改派给 测试cw2.zd");
        await Expect(Page.Locator("#overdue tr", new() { HasText = code }).First).ToContainTextAsync("测试cw2.zd");

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.Locator("#overdue").GetByRole(AriaRole.Link, new() { Name = "导出 CSV" }).ClickAsync());
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.That(bytes.Take(3), Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "UTF-8 with BOM, so Excel reads the Chinese");
        var text = Encoding.UTF8.GetString(bytes);
        Assert.That(text, Does.Contain(code).And.Contain("淄博某某配送服务有限公司").And.Contain("测试cw2.zd").And.Contain("线索编号,用人单位"));
        Assert.That(download.SuggestedFilename, Does.EndWith(".csv"));
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task With_thousands_of_overdue_clues_the_dashboard_pages_them()
    {
        await EscalationTests.SeedDueClocksAsync(3000, Local("2026-11-24T17:30:00"));
        await LoginAsync("sup.zd");
        await Expect(Page.Locator("#overdue h2")).ToContainTextAsync("已超时（3000 条线索，3000 个时限节点）");
        await Expect(Page.Locator("#overdue tbody tr")).ToHaveCountAsync(25);
        await Expect(Page.Locator("#overdue .pager")).ToContainTextAsync("第 1 / 120 页");
        await Page.Locator("#overdue .pager").GetByRole(AriaRole.Link, new() { Name = "下一页" }).ClickAsync();
        await Expect(Page.Locator("#overdue .pager")).ToContainTextAsync("第 2 / 120 页");
        await Expect(Page.Locator("#overdue tbody tr").First).ToContainTextAsync("ZBSEED000026");
    }

    [Test]
    public async Task A_caseworker_of_another_district_cannot_open_the_clue_by_its_address()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await LoginAsync("cw.zc");
        var response = await Page.GotoAsync($"/clues/{id}");
        Assert.That(response!.Status, Is.EqualTo(404));
        await Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "未找到" })).ToBeVisibleAsync();
        await Expect(Page.Locator("body")).Not.ToContainTextAsync("淄博某某配送服务有限公司");
    }

    [Test]
    public async Task A_description_with_a_script_tag_is_shown_as_text_and_runs_nothing()
    {
        const string hostile = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">工资未付";
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync(Api.NewClue(c => { c["description"] = hostile; c["employerName"] = "<b>某公司</b>"; }))).Id();
        await LoginAsync("cw.zd");
        var response = await Page.GotoAsync($"/clues/{id}");
        await Expect(Page.Locator("dd.description")).ToHaveTextAsync(hostile);
        await Expect(Page.Locator("dd", new() { HasText = "<b>某公司</b>" })).ToBeVisibleAsync();
        Assert.That(await Page.EvaluateAsync<int?>("() => window.pwned ?? null"), Is.Null);
        var headers = await response!.AllHeadersAsync();
        Assert.That(headers["content-security-policy"], Does.Contain("script-src 'self'").And.Contain("frame-ancestors 'none'"));
        Assert.That(headers["x-content-type-options"], Is.EqualTo("nosniff"));
    }

    [Test]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused_and_registers_nothing()
    {
        await LoginAsync("cw.zd");
        var before = await TestHost.TableCountsAsync();
        var response = await Page.Context.APIRequest.PostAsync("/clues/new", new()
        {
            Form = Page.Context.APIRequest.CreateFormData()
                .Set("channel", "hotline-12345").Set("districtId", "370303").Set("complainantName", "刘洋").Set("complainantPhone", "13905331234")
                .Set("employerName", "某公司").Set("workerCount", "1").Set("amountOwed", "100").Set("description", "伪造的表单"),
        });
        Assert.That(response.Status, Is.EqualTo(400));
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Full_personal_data_is_shown_only_after_the_show_action_which_is_logged()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await LoginAsync("cw2.zd");
        await Page.GotoAsync($"/clues/{id}");
        await Expect(Page.Locator("body")).Not.ToContainTextAsync("13905331234");
        await Page.GetByRole(AriaRole.Button, new() { Name = "显示完整信息（将记录查看）" }).ClickAsync();
        await Expect(Page.Locator("dd", new() { HasText = "13905331234" })).ToBeVisibleAsync();
        await Expect(Page.Locator("dd", new() { HasText = "11010519491231002X" })).ToBeVisibleAsync();
        Assert.That(Page.Url, Does.Not.Contain("1390533"), "never in the address");
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.pii_access_log WHERE clue_id = @id AND user_id = @u", new { id, u = TestHost.UserIds["cw2.zd"] }), Is.EqualTo(1));
    }

    [Test]
    public async Task Logging_out_ends_the_session_even_for_a_copy_of_its_cookie()
    {
        await LoginAsync("cw.zd");
        var cookies = await Page.Context.CookiesAsync();
        Assert.That(cookies.Single(c => c.Name == "wageclue.session"), Has.Property("HttpOnly").True.And.Property("SameSite").EqualTo(SameSiteAttribute.Strict));
        await Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/login"));

        var copy = await Page.Context.Browser!.NewContextAsync(new() { BaseURL = Page.Url[..Page.Url.IndexOf("/login", StringComparison.Ordinal)] });
        await copy.AddCookiesAsync(cookies.Select(c => new Cookie { Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path }));
        var page = await copy.NewPageAsync();
        await page.GotoAsync("/workbench");
        Assert.That(page.Url, Does.Contain("/login"));
        await copy.CloseAsync();
    }

    [Test]
    public async Task Leaders_see_the_city_and_administrators_their_pages()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"));
        await LoginAsync("leader");
        await Expect(Page).ToHaveURLAsync(new Regex("/leadership$"));
        await Expect(Page.Locator("tr", new() { HasText = "张店区" })).ToContainTextAsync("1");
        await Expect(Page.Locator("#trend canvas")).ToBeVisibleAsync();
        await ScreenshotAsync("leadership");
        Assert.That(ConsoleErrors, Is.Empty);

        await Page.GetByRole(AriaRole.Button, new() { Name = "退出登录" }).ClickAsync();
        await LoginAsync("admin");
        await Expect(Page).ToHaveURLAsync(new Regex("/admin/users$"));
        await Expect(Page.Locator("tr[data-username='cw.zd']")).ToContainTextAsync("经办人");
        await ScreenshotAsync("admin-users");
        await Page.GetByRole(AriaRole.Link, new() { Name = "节假日安排" }).ClickAsync();
        await Expect(Page.Locator("tr[data-year='2026']")).ToContainTextAsync("国办发明电〔2025〕7号");
        await ScreenshotAsync("admin-calendar");
        await Expect(Page.GetByRole(AriaRole.Link, new() { Name = "后台任务" })).ToHaveAttributeAsync("href", "/hangfire");
    }

    private ILocator Clock(string clock) => Page.Locator($"[data-clock='{clock}']");
}
