using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

public class ActionTests : ApiTest
{
    private static long Id(string user) => TestHost.UserIds[user];

    [Test]
    public async Task A_caseworkers_day_accept_connect_feedback_then_handling_resolve_and_the_supervisor_closes()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        var id = clue.Id();

        Time.SetUtcNow(Local("2026-11-25T09:10:00"));
        var accepted = await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        Assert.That(accepted.Str("state"), Is.EqualTo("accepted"));
        Assert.That(accepted["assignee"]!["id"]!.GetValue<long>(), Is.EqualTo(Id("cw.zd")));
        Assert.That(Api.Clock(accepted, "accept").Str("status"), Is.EqualTo("met"));
        Assert.That(Api.Clock(accepted, "accept").Str("metAt"), Is.EqualTo("2026-11-25T09:10:00+08:00"));

        Time.SetUtcNow(Local("2026-11-25T10:30:00"));
        var connected = await cw.DoAsync(id, "connect", new { whom = "代理商办公室 孙经理", how = "phone", note = "承诺三日内支付" });
        var answered = await cw.DoAsync(id, "feedback", new { message = "已联系单位，将跟踪支付。", method = "phone" });
        Assert.That(answered.Str("state"), Is.EqualTo("connected"), "feedback does not change the state");
        Assert.That(new[] { "accept", "connect", "feedback" }.Select(c => Api.Clock(answered, c).Str("status")), Is.All.EqualTo("met"));

        await cw.DoAsync(id, "mediate", new { note = "组织调解" });
        var resolved = await cw.DoAsync(id, "resolve", new { outcomeType = "mediated-payment", outcome = "已全额支付", amountRecovered = 28600.00m, workersPaid = 6 });
        Assert.That(resolved.Str("outcomeType"), Is.EqualTo("mediated-payment"));
        Assert.That(resolved["amountRecovered"]!.GetValue<decimal>(), Is.EqualTo(28600.00m));
        Assert.That(resolved["workersPaid"]!.GetValue<int>(), Is.EqualTo(6));
        Assert.That(resolved.Str("route"), Is.EqualTo("mediation"));

        await Api.ExpectAsync(await cw.ActAsync(id, "close"), HttpStatusCode.Forbidden);
        var sup = await TestHost.As("sup.zd");
        var closed = await sup.DoAsync(id, "close", new { note = "材料齐全，归档" });
        Assert.That(closed.Str("state"), Is.EqualTo("closed"));
        Assert.That(closed["allowedActions"]!.AsArray(), Is.Empty);

        var history = await cw.GetArrayAsync($"/api/clues/{id}/history");
        Assert.That(history.Select(h => h!["action"]?.GetValue<string>() ?? h!.Str("kind")),
            Is.EqualTo(new[] { "registered", "accept", "connect", "feedback", "mediate", "resolve", "close" }));
        Assert.That(history[2]!["data"]!["fields"]!["whom"]!.GetValue<string>(), Is.EqualTo("代理商办公室 孙经理"));
        Assert.That(history[2]!["actor"]!["id"]!.GetValue<long>(), Is.EqualTo(Id("cw.zd")));
        Assert.That(history.Select(h => h!["version"]!.GetValue<int>()), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6, 7 }));
    }

    [Test]
    public async Task Twenty_concurrent_accepts_one_succeeds_and_history_has_one_entry()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => cw.ActAsync(id, "accept", new { assigneeId = Id("cw.zd") })));

        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Conflict), Is.EqualTo(19));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_history WHERE instance_id = @id AND action = 'accept'", new { id }), Is.EqualTo(1));
        Assert.That(await TestHost.ScalarAsync<int>("SELECT version FROM wageclue.workflow_instances WHERE id = @id", new { id }), Is.EqualTo(2));
    }

    [Test]
    public async Task A_contact_recorded_after_its_deadline_is_met_late_and_the_history_shows_it()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        Time.SetUtcNow(Local("2026-11-26T17:31:00"));
        Assert.That(Api.Clock(await cw.GetObjectAsync($"/api/clues/{id}"), "connect").Str("status"), Is.EqualTo("overdue"));

        var connected = await cw.DoAsync(id, "connect", new { whom = "单位负责人", how = "phone" });
        Assert.That(Api.Clock(connected, "connect").Str("status"), Is.EqualTo("met-late"));
        var history = await cw.GetArrayAsync($"/api/clues/{id}/history");
        var met = history.Last()!["data"]!["clocksMet"]![0]!;
        Assert.That((met.Str("clock"), met["late"]!.GetValue<bool>()), Is.EqualTo(("connect", true)));
    }

    [Test]
    public async Task Later_feedback_is_recorded_but_the_first_one_stopped_the_clock()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        await cw.DoAsync(id, "feedback", new { message = "已受理" });
        Time.SetUtcNow(Local("2026-11-27T11:00:00"));
        var again = await cw.DoAsync(id, "feedback", new { message = "单位已承诺支付" });
        Assert.That(Api.Clock(again, "feedback").Str("metAt"), Is.EqualTo("2026-11-25T09:05:00+08:00"));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_history WHERE instance_id = @id AND action = 'feedback'", new { id }), Is.EqualTo(2));
    }

    [Test]
    public async Task Refused_actions_change_nothing_and_say_why()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var before = await TestHost.TableCountsAsync();

        var notYet = await Api.ExpectAsync(await cw.ActAsync(id, "connect", new { whom = "x", how = "phone" }), HttpStatusCode.Conflict);
        Assert.That(notYet.Str("detail"), Does.Contain("已登记"));
        var missing = await Api.ExpectAsync(await cw.ActAsync(id, "accept", new { note = "无责任人" }), HttpStatusCode.BadRequest);
        Assert.That(missing["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "assigneeId" }));
        var leader = await TestHost.As("leader");
        await Api.ExpectAsync(await leader.ActAsync(id, "accept", new { assigneeId = Id("cw.zd") }), HttpStatusCode.Forbidden);
        await Api.ExpectAsync(await cw.ActAsync(id, "approve"), HttpStatusCode.NotFound);
        var stale = await cw.ActAsync(id, "accept", new { assigneeId = Id("cw.zd"), expectedVersion = 7 });
        await Api.ExpectAsync(stale, HttpStatusCode.Conflict);
        var otherDistrictAssignee = await Api.ExpectAsync(await cw.ActAsync(id, "accept", new { assigneeId = Id("cw.zc") }), HttpStatusCode.BadRequest);
        Assert.That(otherDistrictAssignee["errors"]!["assigneeId"], Is.Not.Null);
        var leaderAsAssignee = await Api.ExpectAsync(await cw.ActAsync(id, "accept", new { assigneeId = Id("leader") }), HttpStatusCode.BadRequest);
        Assert.That(leaderAsAssignee["errors"]!["assigneeId"], Is.Not.Null);

        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_expected_version_guards_against_acting_on_a_stale_view()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var accepted = await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd"), expectedVersion = 1 });
        Assert.That(accepted["version"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task A_supervisor_reassigns_with_a_reason_and_the_history_keeps_the_previous_assignee()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        await Api.ExpectAsync(await cw.ActAsync(id, "reassign", new { assigneeId = Id("cw2.zd"), reason = "x" }), HttpStatusCode.Forbidden);

        var sup = await TestHost.As("sup.zd");
        var reassigned = await sup.DoAsync(id, "reassign", new { assigneeId = Id("cw2.zd"), reason = "原经办人参加培训" });
        Assert.That(reassigned.Str("state"), Is.EqualTo("accepted"));
        Assert.That(reassigned["assignee"]!["id"]!.GetValue<long>(), Is.EqualTo(Id("cw2.zd")));
        var last = (await sup.GetArrayAsync($"/api/clues/{id}/history")).Last()!;
        Assert.That(last["data"]!["previousAssigneeId"]!.GetValue<long>(), Is.EqualTo(Id("cw.zd")));
        Assert.That(last["data"]!["fields"]!["reason"]!.GetValue<string>(), Is.EqualTo("原经办人参加培训"));
    }

    [Test]
    public async Task Rejecting_meets_accept_and_feedback_and_cancels_the_connect_clock()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var rejected = await cw.DoAsync(id, "reject", new { reason = "反映事项为消费纠纷，已告知拨打12315" });
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Str("state"), Is.EqualTo("rejected"));
            Assert.That(rejected.Str("rejectionReason"), Does.Contain("12315"));
            Assert.That(Api.Clock(rejected, "accept").Str("status"), Is.EqualTo("met"));
            Assert.That(Api.Clock(rejected, "feedback").Str("status"), Is.EqualTo("met"));
            Assert.That(Api.Clock(rejected, "connect").Str("status"), Is.EqualTo("cancelled"));
        });
        Time.SetUtcNow(Local("2026-12-10T10:00:00"));
        var overdue = await cw.GetObjectAsync("/api/clues?overdue=true");
        Assert.That(overdue["total"]!.GetValue<long>(), Is.EqualTo(0), "a cancelled clock is never overdue");
    }

    [Test]
    public async Task A_duplicate_is_merged_into_an_open_clue_but_not_into_itself_or_a_closed_one()
    {
        var cw = await TestHost.As("cw.zd");
        var target = (await cw.RegisterAsync()).Id();
        var duplicate = (await cw.RegisterAsync()).Id();
        await Api.ExpectAsync(await cw.ActAsync(duplicate, "merge", new { targetClueId = duplicate }), HttpStatusCode.BadRequest);
        await Api.ExpectAsync(await cw.ActAsync(duplicate, "merge", new { targetClueId = 99999 }), HttpStatusCode.BadRequest);
        var merged = await cw.DoAsync(duplicate, "merge", new { targetClueId = target });
        Assert.That(merged.Str("state"), Is.EqualTo("merged"));
        Assert.That(merged["mergedInto"]!.GetValue<long>(), Is.EqualTo(target));
        var third = (await cw.RegisterAsync()).Id();
        var intoMerged = await Api.ExpectAsync(await cw.ActAsync(third, "merge", new { targetClueId = duplicate }), HttpStatusCode.BadRequest);
        Assert.That(intoMerged["errors"]!["targetClueId"], Is.Not.Null);
    }
}
