using System.Text;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace WageClue.Server.Tests.Browser;

/// <summary>The everyday pages as each role finds them: layout at a phone's width, wording, and the rough edges issue 11 lists.</summary>
public class EverydayPageTests : BrowserTest
{
    [TestCase("cw.zd", "/workbench", "/clues/new", "/clues", "/clues?q=配送", "/account/password")]
    [TestCase("sup.zd", "/workbench", "/dashboard", "/listings", "/clues")]
    [TestCase("leader", "/dashboard", "/leadership", "/clues")]
    [TestCase("admin", "/admin/users", "/admin/calendar")]
    [TestCase("auditor", "/audit", "/audit?log=users")]
    public async Task Every_page_of_a_role_fits_a_phone_and_a_laptop(string user, params string[] pages)
    {
        var cw = await TestHost.As("cw.zd");
        long clueId = 0;
        for (var i = 0; i < 4; i++) clueId = (await cw.RegisterAsync()).Id();
        Site.Time.Advance(TimeSpan.FromDays(6)); // overdue and due-today lists with rows in them
        await LoginAsync(user);
        var all = pages.ToList();
        if (user is "cw.zd" or "sup.zd" or "leader") all.Add($"/clues/{clueId}");
        foreach (var path in all)
        {
            await Page.GotoAsync(path);
            await AssertFitsAPhoneAsync($"layout-{user}-{path.Trim('/').Replace('/', '-')}");
        }
    }

    [Test]
    public async Task The_idle_warning_fits_a_phone_and_continuing_removes_it()
    {
        await LoginAsync("cw.zd");
        await Page.GotoAsync("/workbench");
        await Page.EvaluateAsync("window.wageclueIdle.show()");
        var warning = Page.GetByRole(AriaRole.Alertdialog);
        await Expect(warning).ToContainTextAsync("系统将在 2 分钟内自动退出登录");
        await AssertFitsAPhoneAsync("idle-warning");
        await warning.GetByRole(AriaRole.Button, new() { Name = "继续使用" }).ClickAsync();
        await Expect(warning).ToHaveCountAsync(0);
    }

    [Test]
    public async Task The_dashboard_counts_clues_and_time_limits_apart_in_working_time_and_a_refresh_keeps_what_is_typed()
    {
        var cw = await TestHost.As("cw.zd");
        // Received on a Friday at 10:00; now the next Wednesday 09:05: 当日受理 and 次日对接 overdue, 3日反馈 due today.
        var code = (await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"))).Str("trackingCode");
        await LoginAsync("sup.zd");
        await Page.GotoAsync("/dashboard");
        await Expect(Page.Locator("#overdue h2")).ToContainTextAsync("已超时（1 条线索，2 个时限节点）");
        await Expect(Page.Locator("#today h2")).ToContainTextAsync("今日到期（1 条线索，1 个时限节点）");
        var accept = Page.Locator("#overdue tbody tr", new() { HasText = "当日受理" });
        // Mon and Tue are whole working days (7.5 h each); the weekend does not count.
        await Expect(accept).ToContainTextAsync("已超时 2个工作日");
        await Expect(Page.Locator("#overdue tbody tr", new() { HasText = "次日对接" })).ToContainTextAsync("已超时 1个工作日");
        await Expect(Page.Locator("#today tbody tr")).ToContainTextAsync("剩余 6小时55分钟");
        await Expect(Page.Locator("#overdue")).Not.ToContainTextAsync("天");

        // 改派 asks for a person; the integration account is nobody's assignee.
        await accept.Locator("summary", new() { HasText = "改派" }).ClickAsync();
        var select = accept.GetByLabel("改派给");
        await Expect(select).ToHaveValueAsync("");
        await Expect(select.Locator("option").First).ToHaveTextAsync("请选择承办人");
        await Expect(select).Not.ToContainTextAsync("hotline");
        await accept.GetByLabel("改派原因").FillAsync("原承办人休假，改由");
        Assert.That(await Page.EvaluateAsync<bool>("wageclueRefresh.tick()"), Is.False, "no reload while a form is being filled");
        await Expect(accept.GetByLabel("改派原因")).ToHaveValueAsync("原承办人休假，改由");

        await Page.ReloadAsync();
        await Page.EvaluateAsync("window.marker = 1");
        Assert.That(await Page.EvaluateAsync<bool>("wageclueRefresh.tick()"), Is.True, "an untouched dashboard reloads");
        await Page.WaitForFunctionAsync("window.marker === undefined && document.readyState === 'complete'");
        await Expect(Page.Locator("#overdue")).ToContainTextAsync(code);
    }

    [Test]
    public async Task The_city_overview_counts_each_clue_once_and_resolved_clues_are_not_open()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"));
        await EmployerApiTests.ResolvedAsync(cw);
        await Site.Services.GetRequiredService<WageClue.Server.Features.Dashboard.StatsRefresh>().RunAsync();
        await LoginAsync("leader");
        await Page.GotoAsync("/leadership");
        var zhangdian = Page.Locator("tr", new() { HasText = "张店区" });
        var cells = zhangdian.Locator("td.num");
        await Expect(cells.Nth(0)).ToHaveTextAsync("1", new() { Timeout = 5000 }); // 在办: the resolved clue is not open
        await Expect(cells.Nth(1)).ToHaveTextAsync("1"); // 已超时: one clue, though two of its clocks are overdue
        await Expect(Page.Locator("main")).ToContainTextAsync("一条线索只计一次");
    }

    [Test]
    public async Task The_diagram_is_fetched_only_when_opened_and_static_files_are_compressed_and_cached()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var requested = new List<string>();
        Page.Request += (_, r) => requested.Add(r.Url);
        await LoginAsync("cw.zd");
        await Page.GotoAsync($"/clues/{id}");
        await Page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        Assert.That(requested, Has.None.Contains("mermaid"), "mermaid is not loaded with the page");
        await Page.Locator("#diagram summary").ClickAsync();
        await Expect(Page.Locator("#diagram pre.mermaid svg")).ToBeVisibleAsync(BrowserTest.MermaidDrawn);
        await Expect(Page.Locator("#diagram")).ToContainTextAsync("受理");
        var script = requested.Single(u => u.Contains("mermaid.min.js"));
        Assert.That(script, Does.Contain("?v="), "a versioned name");

        using var http = new HttpClient { BaseAddress = new Uri(Page.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(script).PathAndQuery);
        request.Headers.AcceptEncoding.ParseAdd("br, gzip");
        using var response = await http.SendAsync(request);
        Assert.That(response.Content.Headers.ContentEncoding, Is.EquivalentTo(new[] { "br" }));
        Assert.That(response.Headers.CacheControl?.ToString(), Does.Contain("max-age=31536000").And.Contain("immutable"));
        var size = (await response.Content.ReadAsByteArrayAsync()).Length;
        var plain = (await http.GetByteArrayAsync(new Uri(script).PathAndQuery)).Length;
        Assert.That(size, Is.LessThan(plain / 3), "brotli shrinks mermaid's megabytes to a fraction");
        using var icon = await http.GetAsync("/favicon.ico");
        Assert.That(icon.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), "/favicon.ico redirects to the SVG icon");
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task A_form_posted_after_the_session_ended_comes_back_filled_in_after_the_login()
    {
        await LoginAsync("cw.zd");
        await Page.GotoAsync("/clues/new");
        await Page.GetByLabel("线索来源").SelectOptionAsync("walk-in");
        await Page.GetByLabel("姓名").FillAsync("赵志刚");
        await Page.GetByLabel("联系电话").FillAsync("１３８０５３３６６７８");
        await Page.GetByLabel("用人单位名称").FillAsync("淄博鲁中机械制造有限公司");
        await Page.GetByLabel("涉及人数").FillAsync("12");
        await Page.GetByLabel("欠薪金额（元）").FillAsync("96000");
        await Page.GetByLabel("反映内容").FillAsync("车间12名工人9月、10月工资共9.6万元未发，老板称资金周转困难。");
        await Page.Context.ClearCookiesAsync(); // the session has ended

        await Page.GetByRole(AriaRole.Button, new() { Name = "登记", Exact = true }).ClickAsync();
        await Expect(Page).ToHaveURLAsync(new Regex("/login\\?"));
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("登录已过期");
        await Page.GetByLabel("用户名").FillAsync("cw.zd");
        await Page.GetByLabel("密码").FillAsync(TestHost.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();

        await Expect(Page).ToHaveURLAsync(new Regex("/clues/new$"));
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("已恢复登录过期前填写的内容");
        await Expect(Page.GetByLabel("反映内容")).ToHaveValueAsync("车间12名工人9月、10月工资共9.6万元未发，老板称资金周转困难。");
        await Expect(Page.GetByLabel("线索来源")).ToHaveValueAsync("walk-in");
        await Page.GetByRole(AriaRole.Button, new() { Name = "登记", Exact = true }).ClickAsync();
        await Expect(Page.GetByRole(AriaRole.Status)).ToContainTextAsync("线索已登记");
        Assert.That(TestHost.App.Services.GetRequiredService<Features.Privacy.PersonalData>().Open(
                await TestHost.ScalarAsync<byte[]>("SELECT complainant_phone_sealed FROM wageclue.clues WHERE employer_name = '淄博鲁中机械制造有限公司'")),
            Is.EqualTo("13805336678"), "registered once, the full-width digits read as ASCII");

        // A later visit does not bring the saved draft back.
        await Page.GotoAsync("/clues/new");
        await Expect(Page.GetByLabel("反映内容")).ToHaveValueAsync("");
    }

    [Test]
    public async Task A_caseworker_finds_a_clue_by_the_last_digits_of_the_phone_or_part_of_the_employers_name()
    {
        var cw = await TestHost.As("cw.zd");
        var code = (await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "淄博华信建筑工程有限公司"; c["complainantPhone"] = "13905336677"; }))).Str("trackingCode");
        await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "淄博鲁中机械制造有限公司"; c.Remove("employerCreditCode"); }));
        await LoginAsync("cw.zd");
        await Page.GetByRole(AriaRole.Link, new() { Name = "线索查询" }).ClickAsync();
        await Expect(Page.Locator("#results h2")).ToContainTextAsync("本区县全部线索");
        await Expect(Page.Locator("#results tbody tr")).ToHaveCountAsync(2);

        await Page.GetByLabel("查找").FillAsync("６６７７");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Expect(Page.Locator("#results h2")).ToContainTextAsync("反映人电话尾号 6677");
        await Expect(Page.Locator("#results tbody tr")).ToHaveCountAsync(1);
        await Expect(Page.Locator("#results tbody tr")).ToContainTextAsync(code);

        await Page.GetByLabel("查找").FillAsync("华信");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Expect(Page.Locator("#results tbody tr")).ToHaveCountAsync(1);
        await ScreenshotAsync("search");
        await AssertFitsAPhoneAsync("search-phone");

        await Page.GetByLabel("查找").FillAsync("华");
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Expect(Page.Locator("#q-error")).ToContainTextAsync("至少输入 2 个字");

        await Page.GetByLabel("查找").FillAsync(code);
        await Page.GetByRole(AriaRole.Button, new() { Name = "查询" }).ClickAsync();
        await Page.GetByRole(AriaRole.Link, new() { Name = code }).ClickAsync();
        await Expect(Page.Locator("h1")).ToContainTextAsync(code);
        Assert.That(ConsoleErrors, Is.Empty);
    }

    [Test]
    public async Task The_workbench_lists_what_waits_for_me_and_the_header_counts_it_on_every_page()
    {
        var sup = await TestHost.As("sup.zd");
        var clue = await sup.RegisterAsync();
        await sup.DoAsync(clue.Id(), "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        var code = clue.Str("trackingCode");
        // Thursday 16:00: 次日对接 is due at 17:30, within two working hours.
        Site.Time.SetUtcNow(Local("2026-11-26T16:00:00"));

        await LoginAsync("cw.zd");
        await Expect(Page.Locator("header .todo-count")).ToHaveTextAsync("待办 2");
        await Expect(Page.Locator("#new-assignments tr", new() { HasText = code })).ToContainTextAsync("测试sup.zd");
        var soon = Page.Locator("#due-soon tr", new() { HasText = code });
        await Expect(soon).ToContainTextAsync("次日对接");
        await Expect(soon).ToContainTextAsync("剩余 1小时30分钟");
        await ScreenshotAsync("workbench-todo");
        await Page.GotoAsync("/clues");
        await Expect(Page.Locator("header .todo-count")).ToHaveTextAsync("待办 2");

        // Once I act on it, it is no longer new, and the connection no longer due.
        await Page.GotoAsync($"/clues/{clue.Id()}");
        await DoAsync("对接", async form =>
        {
            await form.GetByLabel("对接对象").FillAsync("公司负责人 李经理");
            await form.GetByLabel("对接方式").SelectOptionAsync("phone");
        });
        await Expect(Page.Locator("header .todo-count")).ToHaveCountAsync(0);
        await Page.GotoAsync("/workbench");
        await Expect(Page.Locator("#new-assignments")).ToHaveCountAsync(0);
        await Expect(Page.Locator("#due-soon")).ToHaveCountAsync(0);
        Assert.That(ConsoleErrors, Is.Empty);
    }

    private async Task<byte[]> DownloadAsync(ILocator link)
    {
        var download = await Page.RunAndWaitForDownloadAsync(() => link.ClickAsync());
        return await File.ReadAllBytesAsync((await download.PathAsync())!);
    }

    [Test]
    public async Task Every_list_downloads_as_csv_and_excel_and_the_counts_as_the_pages_matrix()
    {
        var cw = await TestHost.As("cw.zd");
        var code = (await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"))).Str("trackingCode");
        await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "淄博鲁中机械制造有限公司"; c.Remove("employerCreditCode"); }));
        await LoginAsync("sup.zd");
        await Page.GotoAsync("/dashboard");

        var overdue = await DownloadAsync(Page.Locator("#overdue").GetByRole(AriaRole.Link, new() { Name = "导出 Excel" }));
        var sheet = MiniExcelLibs.MiniExcel.Query(new MemoryStream(overdue), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.That(sheet.Select(r => r["时限节点"]?.ToString()), Is.EquivalentTo(new[] { "当日受理", "次日对接" }));
        Assert.That(sheet.All(r => r["线索编号"]?.ToString() == code && r["超时/剩余"]!.ToString()!.Contains("个工作日")));

        var counts = Encoding.UTF8.GetString(await DownloadAsync(Page.Locator("section", new() { HasText = "各区县线索状态" }).GetByRole(AriaRole.Link, new() { Name = "导出 CSV" })));
        var lines = counts.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith("区县,已登记,已受理").And.EndWith(",合计"), "one column per state, as the page shows");
        Assert.That(lines[1], Does.StartWith("张店区,2,").And.EndWith(",2"));

        await Page.GotoAsync("/clues?q=" + Uri.EscapeDataString("鲁中"));
        var found = await DownloadAsync(Page.Locator("#results").GetByRole(AriaRole.Link, new() { Name = "导出 Excel" }));
        var rows = MiniExcelLibs.MiniExcel.Query(new MemoryStream(found), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        Assert.That(rows.Select(r => r["用人单位"]?.ToString()), Is.EqualTo(new[] { "淄博鲁中机械制造有限公司" }));
        var all = Encoding.UTF8.GetString(await DownloadAsync(Page.Locator("#results").GetByRole(AriaRole.Link, new() { Name = "导出 CSV" })));
        Assert.That(all, Does.Contain("淄博鲁中机械制造有限公司").And.Not.Contain(code));
    }

    [Test]
    public async Task A_clue_prints_as_a_sheet_of_facts_clocks_and_timeline_with_the_complainant_masked()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        await cw.DoAsync(clue.Id(), "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        await LoginAsync("cw.zd");
        await Page.GotoAsync($"/clues/{clue.Id()}");
        await Expect(Page.GetByRole(AriaRole.Button, new() { Name = "打印线索单" })).ToBeVisibleAsync();
        await Page.EmulateMediaAsync(new() { Media = Media.Print });
        await ScreenshotAsync("clue-print");
        await Expect(Page.Locator("header.top")).ToBeHiddenAsync();
        await Expect(Page.Locator("details.action").First).ToBeHiddenAsync();
        await Expect(Page.Locator("#diagram")).ToBeHiddenAsync();
        await Expect(Page.Locator(".print-only")).ToContainTextAsync("打印人 测试cw.zd");
        await Expect(Page.Locator(".print-only")).ToContainTextAsync("反映人信息已遮挡");
        await Expect(Page.Locator("ol.timeline")).ToContainTextAsync("受理");
        await Expect(Page.Locator("[data-clock='accept']")).ToBeVisibleAsync();
        await Expect(Page.Locator("main")).Not.ToContainTextAsync("13905331234");
        var pdf = await Page.PdfAsync();
        Assert.That(pdf.Length, Is.GreaterThan(1000), "Chromium lays the sheet out for paper");
    }
}
