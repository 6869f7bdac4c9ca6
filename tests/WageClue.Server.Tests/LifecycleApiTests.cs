using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>The lifecycle of definition version 2 through the API on the real PostgreSQL, and the permission matrix.</summary>
public class LifecycleApiTests : ApiTest
{
    private static long Id(string user) => TestHost.UserIds[user];

    private static async Task<(Api Cw, long Id)> AcceptedAsync()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        return (cw, id);
    }

    [Test]
    public async Task An_extension_asked_before_the_deadline_and_approved_moves_the_due_time_and_the_rate_counts_it_apart()
    {
        var (cw, id) = await AcceptedAsync();
        var asked = await cw.DoAsync(id, "request-extension", new { clock = "feedback", days = 2, reason = "需调取考勤记录" });
        Assert.That(Api.Clock(asked, "feedback")["extensionRequestedDays"]!.GetValue<int>(), Is.EqualTo(2));
        await Api.ExpectAsync(await cw.ActAsync(id, "approve-extension"), HttpStatusCode.Forbidden);

        var sup = await TestHost.As("sup.zd");
        var before = await TestHost.TableCountsAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => sup.ActAsync(id, "approve-extension", new { note = "同意" })));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1), "two concurrent approvals: exactly one wins");
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(1));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_history WHERE instance_id = @id AND action = 'approve-extension'", new { id }), Is.EqualTo(1));
        Assert.That(before, Is.Not.EqualTo(await TestHost.TableCountsAsync()));

        var clue = await cw.GetObjectAsync($"/api/clues/{id}");
        var feedback = Api.Clock(clue, "feedback");
        // Received Wed 11-25 09:05: feedback due Mon 11-30 17:30, +2 working days → Wed 12-02 17:30.
        Assert.That((feedback.Str("dueAt"), feedback.Str("originalDueAt"), feedback["extensions"]!.GetValue<int>()),
            Is.EqualTo(("2026-12-02T17:30:00+08:00", "2026-11-30T17:30:00+08:00", 1)));

        Time.SetUtcNow(Local("2026-12-01T10:00:00")); // after the original deadline, within the extension
        var met = await cw.DoAsync(id, "feedback", new { message = "已告知处理进展" });
        Assert.That(Api.Clock(met, "feedback").Str("status"), Is.EqualTo("met"));
        var history = await cw.GetArrayAsync($"/api/clues/{id}/history");
        Assert.That(history.Last()!["data"]!["clocksMet"]![0]!["withinExtension"]!.GetValue<bool>(), Is.True);
        Assert.That(await TestHost.ScalarAsync<long>($"SELECT count(*) FROM wageclue.workflow_clocks k WHERE k.instance_id = @id AND {Features.Instances.ClockStore.MetWithinExtension}", new { id }), Is.EqualTo(1));
    }

    [Test]
    public async Task A_refused_extension_leaves_the_clock_and_an_out_of_order_approval_changes_nothing()
    {
        var (cw, id) = await AcceptedAsync();
        var sup = await TestHost.As("sup.zd");
        var before = await TestHost.TableCountsAsync();
        await Api.ExpectAsync(await sup.ActAsync(id, "approve-extension", new { }), HttpStatusCode.Conflict);
        await Api.ExpectAsync(await cw.ActAsync(id, "request-extension", new { clock = "accept", days = 1, reason = "x" }), HttpStatusCode.BadRequest);
        await Api.ExpectAsync(await cw.ActAsync(id, "request-extension", new { clock = "feedback", days = 1 }), HttpStatusCode.BadRequest);
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before), "refused requests write nothing");

        await cw.DoAsync(id, "request-extension", new { clock = "feedback", days = 1, reason = "等待单位提供工资表" });
        var refused = await sup.DoAsync(id, "refuse-extension", new { reason = "时限内可以完成" });
        Assert.That(Api.Clock(refused, "feedback").Str("dueAt"), Is.EqualTo("2026-11-30T17:30:00+08:00"));
        Assert.That(Api.Clock(refused, "feedback")["extensionRequestedDays"], Is.Null);
    }

    [Test]
    public async Task Suspend_pauses_the_running_clocks_and_resume_returns_to_the_state_with_the_working_time_left()
    {
        var (cw, id) = await AcceptedAsync();
        Time.SetUtcNow(Local("2026-11-25T10:00:00"));
        var paused = await cw.DoAsync(id, "suspend", new { reason = "awaiting-material", note = "等待反映人补正考勤记录" });
        Assert.That(paused.Str("state"), Is.EqualTo("suspended"));
        Assert.That(Api.Clock(paused, "connect").Str("status"), Is.EqualTo("paused"));
        // Connect due Thu 11-26 17:30: at 10:00 on 11-25, 2 + 4 + 7.5 = 13.5 working hours left.
        Assert.That(Api.Clock(paused, "connect")["pausedRemainingMinutes"]!.GetValue<double>(), Is.EqualTo(13.5 * 60));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_clocks WHERE instance_id = @id AND next_escalation_at IS NOT NULL", new { id }), Is.EqualTo(0),
            "a paused clock is not escalated");

        Time.SetUtcNow(Local("2026-11-30T08:30:00"));
        var resumed = await cw.DoAsync(id, "resume", new { note = "材料已补正" });
        Assert.That(resumed.Str("state"), Is.EqualTo("accepted"));
        // 13.5 h from Mon 11-30 08:30: 7.5 h that day, 6 h on Tuesday → 12-01 16:00.
        Assert.That(Api.Clock(resumed, "connect").Str("dueAt"), Is.EqualTo("2026-12-01T16:00:00+08:00"));
        Assert.That(Api.Clock(resumed, "connect").Str("status"), Is.EqualTo("running"));
    }

    [Test]
    public async Task A_transfer_to_another_district_puts_the_clue_in_its_queue_tells_its_supervisors_and_the_old_district_loses_it()
    {
        var (cw, id) = await AcceptedAsync();
        var moved = await cw.DoAsync(id, "transfer-district", new { districtId = "370302", reason = "用工地在淄川区" });
        Assert.That((moved.Str("state"), moved["district"]!.Str("id"), moved["assignee"]), Is.EqualTo(("received", "370302", (JsonNode?)null)));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_clocks WHERE instance_id = @id AND district_id = '370302'", new { id }), Is.EqualTo(3));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.email_outbox WHERE kind = 'notice' AND recipient_id = @u", new { u = Id("sup.zc") }), Is.EqualTo(1));
        await Api.ExpectAsync(await cw.Http.GetAsync($"/api/clues/{id}"), HttpStatusCode.NotFound);
        var zc = await TestHost.As("cw.zc");
        Assert.That((await zc.GetObjectAsync($"/api/clues/{id}"))["allowedActions"]!.AsArray().Select(a => a!.Str("action")), Does.Contain("accept"));
    }

    [Test]
    public async Task A_transfer_out_ends_the_clue_with_the_receiving_body_recorded()
    {
        var (cw, id) = await AcceptedAsync();
        var sent = await cw.DoAsync(id, "transfer-out", new { receiver = "police", receiverName = "淄博市公安局张店分局", reason = "涉嫌拒不支付劳动报酬罪" });
        Assert.That((sent.Str("state"), sent.Str("transferReceiver"), sent.Str("transferReceiverName")), Is.EqualTo(("transferred", "police", "淄博市公安局张店分局")));
        Assert.That(sent["clocks"]!.AsArray().Select(c => c!.Str("status")), Is.EquivalentTo(new[] { "met", "cancelled", "cancelled" }));
    }

    [Test]
    public async Task An_urge_tells_the_assignee_at_once_and_the_reply_and_its_lateness_are_recorded()
    {
        var (cw, id) = await AcceptedAsync();
        var leader = await TestHost.As("leader");
        var urged = await leader.DoAsync(id, "urge", new { trigger = "overdue", instruction = "请于明日前报告进展" });
        Assert.That(Api.Clock(urged, "urge-reply").Str("dueAt"), Is.EqualTo("2026-11-26T17:30:00+08:00"));
        var notice = await TestHost.ScalarAsync<string>("SELECT body FROM wageclue.email_outbox WHERE kind = 'notice' AND recipient_id = @u", new { u = Id("cw.zd") });
        Assert.That(notice, Does.Contain("请于明日前报告进展").And.Contain("2026年11月26日 17:30"));

        Time.SetUtcNow(Local("2026-11-27T09:00:00"));
        var replied = await cw.DoAsync(id, "reply-urge", new { reply = "已约谈企业负责人，承诺本周支付" });
        Assert.That(Api.Clock(replied, "urge-reply").Str("status"), Is.EqualTo("met-late"));
        await Api.ExpectAsync(await cw.ActAsync(id, "reply-urge", new { reply = "再次回复" }), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Resolve_starts_the_follow_up_an_unsatisfied_follow_up_is_reopened_and_resolved_again_with_a_second_round()
    {
        var (cw, id) = await AcceptedAsync();
        await cw.DoAsync(id, "connect", new { whom = "单位负责人", how = "phone" });
        await cw.DoAsync(id, "file-case", new { caseNumber = "淄张人社监立〔2026〕9号" });
        var resolved = await cw.DoAsync(id, "resolve", new { outcomeType = "ordered-payment", outcome = "已责令支付", amountRecovered = 28600m, workersPaid = 6 });
        Assert.That(Api.Clock(resolved, "case").Str("status"), Is.EqualTo("met"));
        Assert.That(Api.Clock(resolved, "follow-up").Str("dueAt"), Is.EqualTo("2026-11-30T17:30:00+08:00"));

        var sup = await TestHost.As("sup.zd");
        await Api.ExpectAsync(await sup.ActAsync(id, "reopen", new { reason = "x" }), HttpStatusCode.Conflict);
        await cw.DoAsync(id, "follow-up", new { reached = "phone", satisfaction = "dissatisfied", note = "称仍有一人未领到" });
        var reopened = await sup.DoAsync(id, "reopen", new { reason = "尚有一名工人未兑付" });
        Assert.That(reopened.Str("state"), Is.EqualTo("handling"));
        var again = await cw.DoAsync(id, "resolve", new { outcomeType = "ordered-payment", outcome = "全部兑付", amountRecovered = 28600m, workersPaid = 6 });
        Assert.That(again["clocks"]!.AsArray().Count(c => c!.Str("clock") == "follow-up"), Is.EqualTo(2));
        Assert.That(again["clocks"]!.AsArray().Single(c => c!.Str("clock") == "follow-up" && c!["round"]!.GetValue<int>() == 2)!.Str("status"), Is.EqualTo("running"));
    }

    [Test]
    public async Task The_formal_case_extension_needs_a_leader_not_a_supervisor()
    {
        var (cw, id) = await AcceptedAsync();
        await cw.DoAsync(id, "connect", new { whom = "单位负责人", how = "phone" });
        await cw.DoAsync(id, "file-case", new { caseNumber = "淄张人社监立〔2026〕10号" });
        await cw.DoAsync(id, "request-extension", new { clock = "case", days = 30, reason = "需异地调查取证" });
        await Api.ExpectAsync(await (await TestHost.As("sup.zd")).ActAsync(id, "approve-extension", new { }), HttpStatusCode.Conflict);
        var approved = await (await TestHost.As("leader")).DoAsync(id, "approve-extension", new { note = "同意延长30个工作日" });
        Assert.That(Api.Clock(approved, "case")["extensions"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task The_permission_matrix_holds_for_reads_and_actions()
    {
        var (cw, id) = await AcceptedAsync();
        // A leader reads every district but acts only in the districts given to them; given none, nowhere.
        var leader = await TestHost.As("leader");
        Assert.That((await leader.GetObjectAsync($"/api/clues/{id}"))["allowedActions"]!.AsArray().Select(a => a!.Str("action")), Is.EqualTo(new[] { "urge" }));
        var leaderId = Id("leader");
        await TestHost.ScalarAsync<int>("DELETE FROM wageclue.user_districts WHERE user_id = @leaderId AND district_id = '370303' RETURNING 1", new { leaderId });
        try
        {
            Assert.That((await leader.GetObjectAsync($"/api/clues/{id}"))["allowedActions"]!.AsArray(), Is.Empty);
            await Api.ExpectAsync(await leader.ActAsync(id, "urge", new { trigger = "overdue", instruction = "x" }), HttpStatusCode.Forbidden);
        }
        finally
        {
            await TestHost.ScalarAsync<int>("INSERT INTO wageclue.user_districts (user_id, district_id) VALUES (@leaderId, '370303') RETURNING 1", new { leaderId });
        }
        // Another district's caseworker and supervisor: not found, as if it did not exist.
        await Api.ExpectAsync(await (await TestHost.As("sup.zc")).ActAsync(id, "reassign", new { assigneeId = Id("cw.zc"), reason = "x" }), HttpStatusCode.NotFound);
        // The administrator sees no clues.
        await Api.ExpectAsync(await (await TestHost.As("admin")).Http.GetAsync($"/api/clues/{id}"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_integration_account_registers_anywhere_reads_only_its_own_and_may_not_act_hold_or_see_personal_data()
    {
        var hotline = await TestHost.As("hotline");
        var own = await hotline.RegisterAsync(Api.NewClue(c => c["districtId"] = "370302"));
        var zd = (await hotline.RegisterAsync()).Id();
        Assert.That((await hotline.GetObjectAsync($"/api/clues/{own.Id()}"))["allowedActions"]!.AsArray(), Is.Empty);
        await Api.ExpectAsync(await hotline.ActAsync(zd, "merge", new { targetClueId = own.Id() }), HttpStatusCode.Forbidden);
        await Api.ExpectAsync(await hotline.Http.GetAsync($"/api/clues/{own.Id()}/complainant"), HttpStatusCode.Forbidden);

        var cw = await TestHost.As("cw.zd");
        var theirs = (await cw.RegisterAsync()).Id();
        await Api.ExpectAsync(await hotline.Http.GetAsync($"/api/clues/{theirs}"), HttpStatusCode.NotFound);
        Assert.That((await hotline.GetObjectAsync("/api/clues"))["total"]!.GetValue<long>(), Is.EqualTo(2));
        await Api.ExpectAsync(await cw.ActAsync(zd, "accept", new { assigneeId = Id("hotline") }), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_clue_started_on_version_one_keeps_its_actions_and_clocks()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await TestHost.ScalarAsync<int>("UPDATE wageclue.workflow_instances SET definition_version = 1 WHERE id = @id RETURNING 1", new { id });
        var clue = await cw.GetObjectAsync($"/api/clues/{id}");
        Assert.That(clue["definition"]!["version"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(clue["allowedActions"]!.AsArray().Select(a => a!.Str("action")), Is.EqualTo(new[] { "accept", "reject", "merge" }));
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        await cw.DoAsync(id, "connect", new { whom = "单位", how = "phone" });
        var handling = await cw.DoAsync(id, "start-handling", new { route = "mediation" });
        Assert.That(handling.Str("state"), Is.EqualTo("handling"));
        await Api.ExpectAsync(await cw.ActAsync(id, "suspend", new { reason = "other", note = "x" }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Reassigning_to_the_current_assignee_is_refused_and_writes_nothing()
    {
        var (_, id) = await AcceptedAsync();
        var before = await TestHost.TableCountsAsync();
        var problem = await Api.ExpectAsync(await (await TestHost.As("sup.zd")).ActAsync(id, "reassign", new { assigneeId = Id("cw.zd"), reason = "x" }), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["assigneeId"]![0]!.GetValue<string>(), Does.Contain("已是此人"));
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }
}
