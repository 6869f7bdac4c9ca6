using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>
/// The listing workflow (人社部令第45号) through the API, the sweep and the emails, on the real 2026 calendar and
/// PostgreSQL. Expected dates are counted from the calendar file: National Day 10-01…10-07 off, 10-10 worked.
/// </summary>
public class ListingApiTests : ApiTest
{
    private static readonly object Decision = new
    {
        decisionNumber = "淄人社失信〔2026〕3号", reason = "拖欠6名农民工工资，经责令限期支付逾期未支付",
        basis = "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条", sanctions = "限制政府资金支持、政府采购、招投标等",
        removalConditions = "改正满6个月并书面信用承诺后可申请提前移出", remedies = "可于60日内申请行政复议或6个月内提起行政诉讼",
        legalRepresentative = "王建国", responsiblePersons = "李明",
    };

    private static Task<HttpResponseMessage> StartAsync(Api sup, object body) => sup.PostAsync("/api/listings", System.Text.Json.JsonSerializer.Serialize(body));

    private static Task<HttpResponseMessage> ActAsync(Api api, long id, string action, object? fields = null) =>
        api.PostAsync($"/api/listings/{id}/actions/{action}", System.Text.Json.JsonSerializer.Serialize(fields ?? new { }));

    private static async Task<JsonObject> DoAsync(Api api, long id, string action, object? fields = null) =>
        await Api.ExpectAsync(await ActAsync(api, id, action, fields), HttpStatusCode.OK);

    /// <summary>A case started on Mon 09-28 from a resolved clue whose 责令 deadline was Fri 09-25.</summary>
    private static async Task<(Api Sup, long Id, long ClueId)> StartedAsync()
    {
        TestHost.App.ResetTime(Local("2026-09-21T09:00:00")); // a fake clock only moves forward: start it before the story
        var cw = await TestHost.As("cw.zd");
        var clueId = await EmployerApiTests.ResolvedAsync(cw);
        Time.SetUtcNow(Local("2026-09-28T10:00:00"));
        var sup = await TestHost.As("sup.zd");
        var started = await Api.ExpectAsync(await StartAsync(sup, new { clueId, orderNumber = "淄张人社监令〔2026〕18号", orderDeadline = "2026-09-25", amount = 428000m }),
            HttpStatusCode.Created);
        return (sup, started.Id(), clueId);
    }

    /// <summary>The case of <see cref="StartedAsync"/> noticed on 09-28, its window closed by the sweep, listed on 10-13.</summary>
    private static async Task<(Api Sup, Api Cw, long Id)> ListedAsync()
    {
        var (sup, id, _) = await StartedAsync();
        var cw = await TestHost.As("cw.zd");
        await DoAsync(cw, id, "issue-notice", new { noticeNumber = "告1" });
        Time.SetUtcNow(Local("2026-10-13T09:30:00"));
        await Jobs.SweepAsync();
        await DoAsync(sup, id, "decide", Decision);
        return (sup, cw, id);
    }

    [Test]
    public async Task The_whole_listing_runs_on_the_calendar_from_notice_to_publication()
    {
        var (sup, id, _) = await StartedAsync();
        var listing = await sup.GetObjectAsync($"/api/listings/{id}");
        Assert.That(listing.Str("caseNumber"), Does.StartWith("MD2026"));
        Assert.That(Api.Clock(listing, "decision").Str("dueAt"), Is.EqualTo("2026-10-29T17:30:00+08:00"), "20 working days after 09-25");

        Time.SetUtcNow(Local("2026-09-29T10:00:00"));
        var cw = await TestHost.As("cw.zd");
        var noticed = await DoAsync(cw, id, "issue-notice", new { noticeNumber = "淄人社告〔2026〕9号" });
        Assert.That(Api.Clock(noticed, "objection").Str("dueAt"), Is.EqualTo("2026-10-12T17:30:00+08:00"), "5 working days, after National Day");

        Time.SetUtcNow(Local("2026-10-12T17:00:00"));
        var before = await TestHost.TableCountsAsync();
        var early = await Api.ExpectAsync(await ActAsync(sup, id, "decide", Decision), HttpStatusCode.Conflict);
        Assert.That(early.Str("detail"), Does.Contain("异议期").And.Contain("2026-10-12 17:30"));
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before), "refused: nothing written");

        // The sweep closes the window as the system when it runs out.
        Time.SetUtcNow(Local("2026-10-12T17:31:00"));
        Assert.That((await Jobs.SweepAsync()).PeriodsEnded, Is.EqualTo(1));
        Assert.That((await Jobs.SweepAsync()).PeriodsEnded, Is.EqualTo(0), "once");
        var history = await sup.GetArrayAsync($"/api/listings/{id}/history");
        var closed = history.Single(h => h!["action"]?.GetValue<string>() == "close-objection-window")!;
        Assert.That(closed["actor"], Is.Null, "the system, not a user");
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.escalations WHERE instance_id = @id", new { id }), Is.EqualTo(0),
            "a period is not escalated");

        // Two supervisors decide at once: exactly one wins.
        Time.SetUtcNow(Local("2026-10-13T09:30:00"));
        var leaderApi = await TestHost.As("leader");
        await Api.ExpectAsync(await ActAsync(leaderApi, id, "decide", Decision), HttpStatusCode.Forbidden);
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => ActAsync(sup, id, "decide", Decision)));
        Assert.That(responses.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_history WHERE instance_id = @id AND action = 'decide'", new { id }), Is.EqualTo(1));
        listing = await sup.GetObjectAsync($"/api/listings/{id}");
        Assert.That((listing.Str("state"), Api.Clock(listing, "decision").Str("status")), Is.EqualTo(("listed", "met")));
        Assert.That(Api.Clock(listing, "term").Str("dueAt"), Is.EqualTo("2029-10-14T00:00:00+08:00"), "3 years: the last day is 2029-10-13");

        // Published: public, paged, the decision's public fields and nothing of the complainant.
        var anonymous = TestHost.App.CreateClient();
        var response = await anonymous.GetAsync("/api/public/listings");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var published = JsonNode.Parse(body)!.AsArray().Single()!;
        Assert.That((published.Str("employerName"), published.Str("creditCode"), published.Str("legalRepresentative"), published.Str("termEndsOn")),
            Is.EqualTo(("淄博某某配送服务有限公司", "91350100M000100Y43", "王建国", "2029-10-13")));
        Assert.That(body, Does.Not.Contain("刘洋").And.Not.Contain("13905331234").And.Not.Contain("11010519491231002X").And.Not.Contain("李明"),
            "neither the complainant nor the workers, nor persons the rule does not publish");
        var csv = System.Text.Encoding.UTF8.GetString(await (await sup.Http.GetAsync("/api/listings/export?format=csv")).Content.ReadAsByteArrayAsync());
        Assert.That(csv, Does.Contain("淄人社失信〔2026〕3号").And.Contain("2029-10-13"));
    }

    [Test]
    public async Task A_start_is_refused_unless_the_conditions_hold_and_only_one_case_per_employer_is_in_progress()
    {
        TestHost.App.ResetTime(Local("2026-09-21T09:00:00")); // a fake clock only moves forward: start it before the story
        var cw = await TestHost.As("cw.zd");
        var clueId = await EmployerApiTests.ResolvedAsync(cw);
        var sup = await TestHost.As("sup.zd");
        Time.SetUtcNow(Local("2026-09-25T10:00:00"));
        var before = await TestHost.TableCountsAsync();
        var notYet = await Api.ExpectAsync(await StartAsync(sup, new { clueId, orderNumber = "令1", orderDeadline = "2026-09-25", amount = 428000m }), HttpStatusCode.BadRequest);
        Assert.That(notYet["errors"]!["orderDeadline"]![0]!.GetValue<string>(), Does.Contain("尚未届满"));
        var small = await Api.ExpectAsync(await StartAsync(sup, new { clueId, orderNumber = "令1", orderDeadline = "2026-09-20", amount = 9000m }), HttpStatusCode.BadRequest);
        Assert.That(small["errors"]!["amount"]![0]!.GetValue<string>(), Does.Contain("30,000").And.Contain("群体性事件"));
        await Api.ExpectAsync(await StartAsync(cw, new { clueId, orderNumber = "令1", orderDeadline = "2026-09-20", amount = 428000m }), HttpStatusCode.Forbidden);
        await Api.ExpectAsync(await StartAsync(await TestHost.As("sup.zc"), new { clueId, orderNumber = "令1", orderDeadline = "2026-09-20" }), HttpStatusCode.BadRequest);
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));

        // A group incident qualifies a smaller amount; a second case for the employer waits for the first to end.
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            StartAsync(sup, new { clueId, orderNumber = "令1", orderDeadline = "2026-09-20", amount = 9000m, groupIncident = true })));
        Assert.That(responses.Select(r => r.StatusCode), Is.EquivalentTo(new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.listings"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_objection_is_answered_within_five_working_days_or_escalated_like_any_deadline()
    {
        var (sup, id, _) = await StartedAsync();
        var cw = await TestHost.As("cw.zd");
        Time.SetUtcNow(Local("2026-09-29T10:00:00"));
        await DoAsync(cw, id, "issue-notice", new { noticeNumber = "淄人社告〔2026〕9号" });
        Time.SetUtcNow(Local("2026-09-30T15:00:00"));
        var objected = await DoAsync(cw, id, "receive-objection", new { objection = "已支付部分工资" });
        Assert.That(Api.Clock(objected, "objection-reply").Str("dueAt"), Is.EqualTo("2026-10-13T17:30:00+08:00"));
        await Api.ExpectAsync(await ActAsync(sup, id, "decide", Decision), HttpStatusCode.Conflict);

        // Unanswered at its deadline: the ladder's breach goes to the assignee and the district's supervisors.
        Time.SetUtcNow(Local("2026-10-13T17:31:00"));
        await Jobs.SweepAsync();
        await Jobs.DrainAsync();
        var breach = TestSmtp.Messages.Where(m => m.Level() == "超时" && (m.Subject ?? "").Contains("名单案件")).ToList();
        Assert.That(breach.Select(m => m.To()), Does.Contain("sup.zd@test.local"));
        Assert.That(breach[0].Text(), Does.Contain("失信联合惩戒名单案件").And.Contain("异议复核答复").And.Contain("https://wageclue.test/listings/"));
        Assert.That(breach[0].Text(), Does.Not.Contain("反映人"));

        await DoAsync(sup, id, "dismiss-objection", new { reply = "经核实仍拖欠，异议不成立" });
        var listed = await DoAsync(sup, id, "decide", Decision);
        Assert.That(listed.Str("state"), Is.EqualTo("listed"));
    }

    [Test]
    public async Task Early_removal_waits_six_months_from_correction_and_is_barred_by_a_new_arrears_case()
    {
        var (sup, cw, id) = await ListedAsync();

        Time.SetUtcNow(Local("2027-03-25T10:00:00"));
        var applied = await DoAsync(cw, id, "apply-removal", new { correctedOn = "2026-10-20", pledge = "信用承诺书 2027-03" });
        Assert.That(applied.Str("state"), Is.EqualTo("removal-review"));
        var atFive = await Api.ExpectAsync(await ActAsync(sup, id, "approve-removal", new { note = "已改正" }), HttpStatusCode.Conflict);
        Assert.That(atFive.Str("detail"), Does.Contain("满6个月").And.Contain("2027-04-20"));

        // A new clue against the employer since the listing bars the removal (第十三条).
        var newClue = (await cw.RegisterAsync()).Id();
        Time.SetUtcNow(Local("2027-04-20T09:00:00"));
        var barred = await Api.ExpectAsync(await ActAsync(sup, id, "approve-removal", new { note = "已改正" }), HttpStatusCode.Conflict);
        Assert.That(barred.Str("detail"), Does.Contain("第十三条"));
        await cw.DoAsync(newClue, "reject", new { reason = "经核实已结清" });

        var removed = await DoAsync(sup, id, "approve-removal", new { note = "已改正并书面承诺" });
        Assert.That((removed.Str("state"), removed.Str("endReason")), Is.EqualTo(("ending", "early-removal")));
        Assert.That(Api.Clock(removed, "take-down").Str("status"), Is.EqualTo("running"));
        var anonymous = TestHost.App.CreateClient();
        Assert.That((await anonymous.GetStringAsync("/api/public/listings")), Is.EqualTo("[]"), "off the public list at once");
        var down = await DoAsync(cw, id, "take-down", new { note = "已撤下并通知信用平台" });
        Assert.That((down.Str("state"), Api.Clock(down, "take-down").Str("status")), Is.EqualTo(("ended", "met")));

        // False material: the removal is revoked and the term starts again.
        Time.SetUtcNow(Local("2027-06-01T10:00:00"));
        var restored = await DoAsync(sup, id, "restore", new { reason = "工资支付凭证系伪造" });
        Assert.That(restored.Str("state"), Is.EqualTo("listed"));
        Assert.That(restored["clocks"]!.AsArray().Where(k => k!.Str("clock") == "term").Select(k => k!.Str("dueAt")).Last(),
            Is.EqualTo("2030-06-02T00:00:00+08:00"));
    }

    [Test]
    public async Task After_three_years_the_sweep_expires_the_listing_and_the_take_down_is_escalated_like_any_deadline()
    {
        var (sup, cw, id) = await ListedAsync();

        Time.SetUtcNow(Local("2029-10-14T00:00:30"));
        Assert.That((await Jobs.SweepAsync()).PeriodsEnded, Is.EqualTo(1));
        var expired = await sup.GetObjectAsync($"/api/listings/{id}");
        Assert.That((expired.Str("state"), expired.Str("endReason")), Is.EqualTo(("ending", "expired")));
        var takeDown = Api.Clock(expired, "take-down");
        Assert.That(takeDown["provisional"]!.GetValue<bool>(), Is.True, "2029's holidays are not published yet: estimated");

        Time.SetUtcNow(DateTimeOffset.Parse(takeDown.Str("dueAt"), System.Globalization.CultureInfo.InvariantCulture).AddMinutes(1).ToUniversalTime());
        await Jobs.SweepAsync();
        await Jobs.DrainAsync();
        var dashboard = await sup.Http.GetStringAsync("/dashboard");
        Assert.That(dashboard, Does.Contain("超时未撤下 1 件"), "the supervisor dashboard counts the overdue take-down");
        var listingMail = TestSmtp.Messages.Where(m => (m.Subject ?? "").Contains("名单案件")).ToList();
        Assert.That(listingMail.Select(m => m.Level()), Does.Contain("超时"));
        Assert.That(listingMail.First(m => m.Level() == "超时").Subject, Does.Contain("撤下公示"));
    }

    [Test]
    public void Every_attribute_a_listing_definition_updates_has_its_column()
    {
        var registry = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Workflows.Definitions.WorkflowRegistry>(TestHost.App.Services);
        var attributes = registry.All.Where(d => d.Id == "employer-listing")
            .SelectMany(d => d.Actions.SelectMany(a => a.FieldList.Select(f => f.Updates).Concat(a.Sets?.Keys ?? [])))
            .OfType<string>().Where(a => a != "assignee").Distinct().ToList();
        Assert.That(attributes, Is.Not.Empty);
        Assert.That(attributes, Is.SubsetOf(Features.Listings.ListingRepository.Columns.Keys));
    }
}
