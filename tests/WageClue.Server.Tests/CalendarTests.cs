using System.Net;

namespace WageClue.Server.Tests;

public class CalendarTests : ApiTest
{
    // 国办发明电〔2026〕— the 2027 arrangement was not published when this was written; these dates stand in for it.
    private static readonly object Year2027 = new
    {
        holidays = new[] { "2027-01-01", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11" },
        workdays = new[] { "2027-02-13" },
        notice = "测试用安排",
        published = "2026-11-20",
    };

    [Test]
    public async Task The_shipped_years_are_loaded()
    {
        var api = await TestHost.As("cw.zd");
        var years = await api.GetObjectAsync("/api/calendar/years");
        Assert.That(years["years"]!.AsArray().Select(y => y!["year"]!.GetValue<int>()), Is.EqualTo(new[] { 2024, 2025, 2026 }));
        Assert.That(years["years"]![2]!.Str("notice"), Is.EqualTo("国办发明电〔2025〕7号"));
    }

    [Test]
    public async Task Uploading_a_new_year_recomputes_provisional_clocks_and_records_it_in_their_history()
    {
        Time.SetUtcNow(Local("2026-12-30T10:00:00"));
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync();
        var id = clue.Id();
        Assert.That(Api.Clock(clue, "feedback")["provisional"]!.GetValue<bool>(), Is.True);
        Assert.That(Api.Clock(clue, "feedback").Str("dueAt"), Is.EqualTo("2027-01-05T17:30:00+08:00"));
        Assert.That(Api.Clock(clue, "accept")["provisional"]!.GetValue<bool>(), Is.False);

        var admin = await TestHost.As("admin");
        var result = await Api.ExpectAsync(await admin.PutAsync("/api/calendar/years/2027", Year2027), HttpStatusCode.OK);
        Assert.That(result["recomputedClues"]!.GetValue<int>(), Is.EqualTo(1));

        var after = await cw.GetObjectAsync($"/api/clues/{id}");
        Assert.That(Api.Clock(after, "feedback")["provisional"]!.GetValue<bool>(), Is.False);
        Assert.That(Api.Clock(after, "feedback").Str("dueAt"), Is.EqualTo("2027-01-05T17:30:00+08:00"));
        Assert.That(after["calendarVersion"]!.GetValue<long>(), Is.EqualTo(result["calendarVersion"]!.GetValue<long>()));
        var recomputed = (await cw.GetArrayAsync($"/api/clues/{id}/history")).Last()!;
        Assert.That(recomputed.Str("kind"), Is.EqualTo("recomputed"));
        Assert.That(recomputed["data"]!["changes"]![0]!.Str("clock"), Is.EqualTo("feedback"));
        Assert.That(recomputed["actor"]!["id"]!.GetValue<long>(), Is.EqualTo(TestHost.UserIds["admin"]));
    }

    [Test]
    public async Task A_replaced_year_moves_open_deadlines_that_depended_on_it()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id(); // Wednesday 2026-11-25: feedback due Monday 11-30
        var admin = await TestHost.As("admin");
        var years = await admin.GetObjectAsync("/api/calendar/years");
        var y2026 = years["years"]![2]!;
        var holidays = y2026["holidays"]!.AsArray().Select(h => h!.GetValue<string>()).Append("2026-11-27").ToArray();
        await Api.ExpectAsync(await admin.PutAsync("/api/calendar/years/2026", new { holidays, workdays = y2026["workdays"]!.AsArray().Select(w => w!.GetValue<string>()).ToArray() }), HttpStatusCode.OK);

        var after = await cw.GetObjectAsync($"/api/clues/{id}");
        Assert.That(Api.Clock(after, "feedback").Str("dueAt"), Is.EqualTo("2026-12-01T17:30:00+08:00"));
        Assert.That(Api.Clock(after, "accept").Str("dueAt"), Is.EqualTo("2026-11-25T17:30:00+08:00"));
        // The escalation point moves with the deadline: no warning on 11-30 for a clock now due 12-01.
        Assert.That(await TestHost.ScalarAsync<DateTime>("SELECT next_escalation_at FROM wageclue.workflow_clocks WHERE instance_id = @id AND clock = 'feedback'", new { id }),
            Is.EqualTo(Local("2026-12-01T15:30:00").UtcDateTime));
        Time.SetUtcNow(Local("2026-11-30T15:30:00"));
        await Jobs.SweepAsync();
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.escalations WHERE clock = 'feedback'"), Is.Zero);
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.escalations WHERE clock = 'connect' AND NOT superseded"), Is.EqualTo(1));
    }

    [Test]
    public async Task Calendar_uploads_and_actions_at_the_same_time_all_succeed()
    {
        // A recompute and an action touch the same clue and clock rows; the shared clock lock orders them.
        var cw = await TestHost.As("cw.zd");
        var ids = new List<long>();
        for (var i = 0; i < 15; i++) ids.Add((await cw.RegisterAsync()).Id());
        var admin = await TestHost.As("admin");
        var y2026 = (await admin.GetObjectAsync("/api/calendar/years"))["years"]![2]!;
        var body = new
        {
            holidays = y2026["holidays"]!.AsArray().Select(h => h!.GetValue<string>()).ToArray(),
            workdays = y2026["workdays"]!.AsArray().Select(w => w!.GetValue<string>()).ToArray(),
        };

        var actions = ids.Select(id => cw.ActAsync(id, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] }));
        var uploads = Enumerable.Range(0, 3).Select(_ => admin.PutAsync("/api/calendar/years/2026", body));
        var responses = await Task.WhenAll(actions.Concat(uploads));

        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_instances WHERE state = 'accepted'"), Is.EqualTo(15));
    }

    [Test]
    public async Task Only_an_admin_may_change_the_calendar_and_a_bad_year_changes_nothing()
    {
        var sup = await TestHost.As("sup.zd");
        Assert.That((await sup.PutAsync("/api/calendar/years/2027", Year2027)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        var admin = await TestHost.As("admin");
        var weekendHoliday = await Api.ExpectAsync(await admin.PutAsync("/api/calendar/years/2027",
            new { holidays = new[] { "2027-01-02" }, workdays = Array.Empty<string>() }), HttpStatusCode.BadRequest);
        Assert.That(weekendHoliday["errors"]!["holidays"], Is.Not.Null);
        var badDate = await Api.ExpectAsync(await admin.PutAsync("/api/calendar/years/2027",
            new { holidays = new[] { "2027-10-01", "2027-13-01" }, workdays = Array.Empty<string>() }), HttpStatusCode.BadRequest);
        Assert.That(badDate["errors"]!["holidays[1]"]![0]!.GetValue<string>(), Is.EqualTo("第 2 个日期“2027-13-01”不是 yyyy-MM-dd 格式的日期"),
            "the message names the entry at fault");
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.calendar_years WHERE year = 2027"), Is.EqualTo(0));
    }

    [Test]
    public async Task The_sla_preview_gives_the_worked_example_without_creating_a_clue()
    {
        var api = await TestHost.As("cw.zd");
        var preview = await api.GetObjectAsync("/api/sla/preview?receivedAt=2026-09-30T19:00:00%2B08:00");
        Assert.That(preview.Str("receiptDay"), Is.EqualTo("2026-10-08"));
        Assert.That(preview["clocks"]!.AsArray().Select(c => c!.Str("dueAt")),
            Is.EqualTo(new[] { "2026-10-08T17:30:00+08:00", "2026-10-09T17:30:00+08:00", "2026-10-12T17:30:00+08:00" }));
        Assert.That(preview["provisional"]!.GetValue<bool>(), Is.False);
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(0));

        var next = await api.GetObjectAsync("/api/sla/preview?receivedAt=2027-03-01T10:00:00Z");
        Assert.That(next["provisional"]!.GetValue<bool>(), Is.True);
        var bad = await Api.ExpectAsync(await api.Http.GetAsync("/api/sla/preview?receivedAt=2026-09-30"), HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!["receivedAt"], Is.Not.Null);
    }

    [Test]
    public async Task A_replaced_year_recomputes_an_extended_clock_and_a_resumed_clock_from_their_own_basis()
    {
        var cw = await TestHost.As("cw.zd");
        var sup = await TestHost.As("sup.zd");
        long me = TestHost.UserIds["cw.zd"];
        // Extended: feedback due Mon 11-30 17:30, +2 working days → Wed 12-02 17:30.
        var extended = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(extended, "accept", new { assigneeId = me });
        await cw.DoAsync(extended, "request-extension", new { clock = "feedback", days = 2, reason = "需调取考勤记录" });
        await sup.DoAsync(extended, "approve-extension", new { });
        // Resumed: connect due Thu 11-26 17:30; paused at 11-25 10:00 with 13.5 working hours left; resumed Mon 11-30 08:30 → 12-01 16:00.
        var resumed = (await cw.RegisterAsync(Api.NewClue(c => c["employerName"] = "淄博某装饰工程有限公司"))).Id();
        await cw.DoAsync(resumed, "accept", new { assigneeId = me });
        Time.SetUtcNow(Local("2026-11-25T10:00:00"));
        await cw.DoAsync(resumed, "suspend", new { reason = "awaiting-material", note = "等待补正" });
        Time.SetUtcNow(Local("2026-11-30T08:30:00"));
        Assert.That(Api.Clock(await cw.DoAsync(resumed, "resume", new { note = "已补正" }), "connect").Str("dueAt"), Is.EqualTo("2026-12-01T16:00:00+08:00"));

        // Tuesday 12-01 becomes a day off.
        var admin = await TestHost.As("admin");
        var y2026 = (await admin.GetObjectAsync("/api/calendar/years"))["years"]![2]!;
        var holidays = y2026["holidays"]!.AsArray().Select(h => h!.GetValue<string>()).Append("2026-12-01").ToArray();
        await Api.ExpectAsync(await admin.PutAsync("/api/calendar/years/2026", new { holidays, workdays = y2026["workdays"]!.AsArray().Select(w => w!.GetValue<string>()).ToArray() }), HttpStatusCode.OK);

        var feedback = Api.Clock(await cw.GetObjectAsync($"/api/clues/{extended}"), "feedback");
        Assert.That((feedback.Str("dueAt"), feedback.Str("originalDueAt")), Is.EqualTo(("2026-12-03T17:30:00+08:00", "2026-11-30T17:30:00+08:00")),
            "the original deadline (11-30) is untouched; the two extension days now skip 12-01");
        Assert.That(Api.Clock(await cw.GetObjectAsync($"/api/clues/{resumed}"), "connect").Str("dueAt"), Is.EqualTo("2026-12-02T16:00:00+08:00"),
            "13.5 working hours from the resume: 7.5 on 11-30, none on 12-01, 6 on 12-02");
    }
}
