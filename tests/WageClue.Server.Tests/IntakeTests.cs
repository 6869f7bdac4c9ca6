using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

public class IntakeTests : ApiTest
{
    [Test]
    public async Task The_intake_answer_is_the_clue_as_stored()
    {
        var api = await TestHost.As("cw.zd");
        Time.Advance(TimeSpan.FromTicks(1234567)); // a time with sub-microsecond ticks, which PostgreSQL does not keep
        var created = await api.RegisterAsync();
        var read = await api.GetObjectAsync($"/api/clues/{created.Id()}");
        Assert.That(created.Remove("likelyDuplicates"), Is.True, "the intake answer alone names likely duplicates");
        Assert.That(System.Text.Json.Nodes.JsonNode.DeepEquals(created, read), Is.True, $"{created.ToJsonString()}\n{read.ToJsonString()}");
    }

    [Test]
    public async Task A_hotline_clue_gets_its_three_deadlines_and_lands_in_the_district_queue()
    {
        var api = await TestHost.As("cw.zd");
        var response = await api.PostAsync("/api/clues", Api.NewClue().ToJsonString());
        var clue = await Api.ExpectAsync(response, HttpStatusCode.Created);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/clues/{clue.Id()}"));
            Assert.That(clue.Str("state"), Is.EqualTo("received"));
            Assert.That(clue.Str("stateName"), Is.EqualTo("已登记"));
            Assert.That(clue["version"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(clue.Str("trackingCode"), Does.Match("^ZB[2-9A-HJ-NP-Z]{10}$"));
            Assert.That(clue["assignee"], Is.Null);
            Assert.That(clue["definition"]!.ToJsonString(), Is.EqualTo("""{"id":"wage-arrears-clue","version":2}"""));
            // Wednesday 09:05: accept today, connect tomorrow, feedback on the third working day (Monday).
            Assert.That(Api.Clock(clue, "accept").Str("dueAt"), Is.EqualTo("2026-11-25T17:30:00+08:00"));
            Assert.That(Api.Clock(clue, "connect").Str("dueAt"), Is.EqualTo("2026-11-26T17:30:00+08:00"));
            Assert.That(Api.Clock(clue, "feedback").Str("dueAt"), Is.EqualTo("2026-11-30T17:30:00+08:00"));
            Assert.That(Api.Clock(clue, "feedback").Str("name"), Is.EqualTo("3日反馈"));
            Assert.That(clue["clocks"]!.AsArray().Select(c => c!.Str("status")), Is.All.EqualTo("running"));
            Assert.That(clue["allowedActions"]!.AsArray().Select(a => a!.Str("action")), Is.EqualTo(new[] { "accept", "reject", "merge", "transfer-district" }));
            // Personal data is masked in every response; the ID number never appears.
            Assert.That(clue["complainant"]!.Str("name"), Is.EqualTo("刘*"));
            Assert.That(clue["complainant"]!.Str("phone"), Is.EqualTo("139****1234"));
            Assert.That(clue["complainant"]!["hasIdNumber"]!.GetValue<bool>(), Is.True);
            Assert.That(clue.ToJsonString(), Does.Not.Contain("11010519491231002X"));
        });
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_history WHERE instance_id = @id AND kind = 'registered'", new { id = clue.Id() }), Is.EqualTo(1));
    }

    [Test]
    public async Task A_letter_entered_days_later_keeps_its_real_receipt_time_and_is_overdue_at_once()
    {
        var api = await TestHost.As("cw.zd");
        // Received last Friday at 10:00, entered on Wednesday 09:05.
        var clue = await api.RegisterAsync(Api.NewClue(c => { c["channel"] = "letters-visits"; c["receivedAt"] = "2026-11-20T10:00:00+08:00"; }));

        Assert.Multiple(() =>
        {
            Assert.That(clue.Str("receivedAt"), Is.EqualTo("2026-11-20T10:00:00+08:00"));
            Assert.That(Api.Clock(clue, "accept").Str("status"), Is.EqualTo("overdue"));
            Assert.That(Api.Clock(clue, "connect").Str("dueAt"), Is.EqualTo("2026-11-23T17:30:00+08:00"));
            Assert.That(Api.Clock(clue, "connect").Str("status"), Is.EqualTo("overdue"));
            Assert.That(Api.Clock(clue, "feedback").Str("dueAt"), Is.EqualTo("2026-11-25T17:30:00+08:00"));
            Assert.That(Api.Clock(clue, "feedback").Str("status"), Is.EqualTo("running"));
        });
    }

    [Test]
    public async Task A_receipt_time_in_UTC_is_shown_in_Shanghai_time()
    {
        var api = await TestHost.As("cw.zd");
        var clue = await api.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-24T11:00:00Z"));
        Assert.That(clue.Str("receivedAt"), Is.EqualTo("2026-11-24T19:00:00+08:00"));
        Assert.That(clue.Str("receiptDay"), Is.EqualTo("2026-11-25"));
    }

    [Test]
    public async Task A_retried_intake_with_the_same_idempotency_key_returns_the_first_clue()
    {
        var api = await TestHost.As("cw.zd");
        var body = Api.NewClue().ToJsonString();
        var first = await Api.ExpectAsync(await api.PostAsync("/api/clues", body, "hotline-20261125-0001"), HttpStatusCode.Created);
        var retry = await api.PostAsync("/api/clues", body, "hotline-20261125-0001");
        var second = await Api.ExpectAsync(retry, HttpStatusCode.Created);

        Assert.That(second.Id(), Is.EqualTo(first.Id()));
        Assert.That(retry.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_retries_with_one_idempotency_key_create_one_clue()
    {
        var api = await TestHost.As("cw.zd");
        var body = Api.NewClue().ToJsonString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => api.PostAsync("/api/clues", body, "same-key")));
        var ids = new HashSet<long>();
        foreach (var r in responses) ids.Add((await Api.ExpectAsync(r, HttpStatusCode.Created)).Id());

        Assert.That(ids, Has.Count.EqualTo(1));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(1));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_clocks"), Is.EqualTo(3));
    }

    [Test]
    public async Task An_idempotency_key_reused_for_a_different_clue_is_refused()
    {
        var api = await TestHost.As("cw.zd");
        await api.RegisterAsync(Api.NewClue(), "key-1");
        var before = await TestHost.TableCountsAsync();
        var response = await api.PostAsync("/api/clues", Api.NewClue(c => c["workerCount"] = 7).ToJsonString(), "key-1");

        await Api.ExpectAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Without_a_key_two_identical_posts_are_two_clues()
    {
        // Without an Idempotency-Key the server cannot tell a retry from a second report; the key is the contract.
        var api = await TestHost.As("cw.zd");
        await api.RegisterAsync();
        await api.RegisterAsync();
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_clue_for_another_district_is_refused_and_a_leader_cannot_register()
    {
        var api = await TestHost.As("cw.zd");
        await Api.ExpectAsync(await api.PostAsync("/api/clues", Api.NewClue(c => c["districtId"] = "370302").ToJsonString()), HttpStatusCode.Forbidden);
        var leader = await TestHost.As("leader");
        await Api.ExpectAsync(await leader.PostAsync("/api/clues", Api.NewClue().ToJsonString()), HttpStatusCode.Forbidden);
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(0));
    }

    [Test]
    public async Task Each_clue_keeps_the_definition_and_calendar_versions_it_was_computed_with()
    {
        var api = await TestHost.As("cw.zd");
        var clue = await api.RegisterAsync();
        var calendarVersion = await TestHost.ScalarAsync<long>("SELECT max(revision) FROM wageclue.calendar_years");
        Assert.That(clue["calendarVersion"]!.GetValue<long>(), Is.EqualTo(calendarVersion));
        Assert.That(await TestHost.ScalarAsync<int>("SELECT definition_version FROM wageclue.workflow_instances WHERE id = @id", new { id = clue.Id() }), Is.EqualTo(2));
    }

    [Test]
    public async Task Full_width_digits_letters_and_dashes_from_a_Chinese_input_method_are_read_as_ASCII()
    {
        var cw = await TestHost.As("cw.zd");
        var clue = await cw.RegisterAsync(Api.NewClue(c =>
        {
            c["complainantPhone"] = "０５３３－２１８７６５４";
            c["complainantIdNumber"] = "１１０１０５１９４９１２３１００２ｘ";
            c["employerCreditCode"] = "９１３５０１００Ｍ０００１００Ｙ４３";
        }));
        var full = await cw.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        Assert.That((full.Str("phone"), full.Str("idNumber")), Is.EqualTo(("0533-2187654", "11010519491231002X")));
        Assert.That(await TestHost.ScalarAsync<string>("SELECT employer_credit_code FROM wageclue.clues WHERE id = @id", new { id = clue.Id() }),
            Is.EqualTo("91350100M000100Y43"));

        // The complainant may type the code and digits full-width too.
        var code = clue.Str("trackingCode");
        var fullWidthCode = string.Concat(code.Select(ch => (char)(ch + 0xFEE0)));
        var anonymous = TestHost.App.CreateClient();
        var lookup = await anonymous.GetAsync($"/api/track/{Uri.EscapeDataString(fullWidthCode)}?phoneLast4={Uri.EscapeDataString("７６５４")}");
        Assert.That(lookup.StatusCode, Is.EqualTo(HttpStatusCode.OK), await lookup.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_missing_choice_is_asked_for_with_please_choose_and_a_missing_text_with_please_fill_in()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var refused = await Api.ExpectAsync(await cw.ActAsync(id, "accept"), HttpStatusCode.BadRequest);
        Assert.That(refused["errors"]!["assigneeId"]![0]!.GetValue<string>(), Is.EqualTo("请选择责任人"));
        var blank = await Api.ExpectAsync(await cw.PostAsync("/api/clues", Api.NewClue(c => c["description"] = " ").ToJsonString()), HttpStatusCode.BadRequest);
        Assert.That(blank["errors"]!["description"]![0]!.GetValue<string>(), Is.EqualTo("请填写反映内容"));
    }
}
