using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WageClue.Server.Features.Notifications;

namespace WageClue.Server.Tests;

public class EscalationTests : ApiTest
{
    private static long Id(string user) => TestHost.UserIds[user];

    private static Task<long> CountAsync(string sql, object? args = null) => TestHost.ScalarAsync<long>(sql, args);

    [Test]
    public async Task A_clue_climbs_warning_breach_second_level_with_one_email_each_to_the_right_people()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        // Accepted at once: the accept clock is met long before its warning, so it never escalates.
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });

        // The connect clock is due Thursday 11-26 17:30: warning 15:30, breach 17:30, second level Friday 17:30.
        Time.SetUtcNow(Local("2026-11-26T15:29:00"));
        Assert.That((await Jobs.SweepAsync()).Escalated, Is.Zero);
        Time.SetUtcNow(Local("2026-11-26T15:30:00"));
        Assert.That((await Jobs.SweepAsync()).Escalated, Is.EqualTo(1));
        Assert.That((await Jobs.SweepAsync()).Escalated, Is.Zero, "a second sweep at the same time finds nothing new");
        Time.SetUtcNow(Local("2026-11-26T17:30:00"));
        await Jobs.SweepAsync();
        Time.SetUtcNow(Local("2026-11-27T17:30:00"));
        await Jobs.SweepAsync();
        await Jobs.SweepAsync();
        await Jobs.DrainAsync();

        Assert.That(Jobs.Deliveries(TestSmtp.Messages), Is.EqualTo(new[]
        {
            "cw.zd 临期提醒", "cw.zd 超时", "leader 二级督办", "sup.zd 二级督办", "sup.zd 超时",
        }));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.escalations WHERE clock = 'accept'"), Is.Zero);

        var breach = TestSmtp.Messages.Single(m => m.To() == "sup.zd@test.local" && m.Level() == "超时");
        Assert.That(breach.Subject, Does.Contain("次日对接").And.Contain("已超时"));
        Assert.That(breach.TextBody, Does.Contain("承办人：测试cw.zd").And.Contain("办理时限：2026年11月26日 17:30")
            .And.Contain("淄博某某配送服务有限公司").And.Contain($"https://wageclue.test/clues/{id}").And.Contain("当前状态：已受理"));
        // Time in working time, as the deadline was counted: Thursday 17:30 to Friday 17:30 is one working day.
        var second = TestSmtp.Messages.Single(m => m.To() == "sup.zd@test.local" && m.Level() == "二级督办");
        Assert.That(second.TextBody, Does.Contain("超时时长：1个工作日"));
        Assert.That(TestSmtp.Messages.Single(m => m.Level() == "临期提醒").TextBody, Does.Contain("剩余2小时"));
        foreach (var m in TestSmtp.Messages)
        {
            Assert.That(m.Text(), Does.Contain("刘*").And.Contain("139****1234"), "the complainant appears masked");
            Assert.That(m.Text(), Does.Not.Contain("刘洋").And.Not.Contain("13905331234").And.Not.Contain("11010519491231002X"));
            Assert.That(m.From.Mailboxes.Single().Address, Is.EqualTo("wageclue@test.local"));
            Assert.That(m.MessageId, Does.StartWith($"escalation.{id}.connect."));
        }

        var clue = await cw.GetObjectAsync($"/api/clues/{id}");
        Assert.That(Api.Clock(clue, "connect")["escalationLevel"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(Api.Clock(clue, "accept")["escalationLevel"]!.GetValue<int>(), Is.Zero);
        var history = await cw.GetArrayAsync($"/api/clues/{id}/history");
        Assert.That(history.Where(h => h!.Str("kind") == "escalated").Select(h => h!.Str("action")),
            Is.EqualTo(new[] { "warning", "breach", "second-level" }));

        var escalations = await cw.GetArrayAsync($"/api/clues/{id}/escalations");
        Assert.That(escalations.Select(e => e!.Str("levelName")), Is.EqualTo(new[] { "二级督办", "超时", "临期提醒" }));
        var statuses = escalations.SelectMany(e => e!["emails"]!.AsArray()).Select(m => m!.Str("status")).ToList();
        Assert.That(statuses, Has.Count.EqualTo(5).And.All.EqualTo("sent"));
    }

    [Test]
    public async Task Nobody_assigned_the_warning_goes_to_the_districts_caseworkers_and_one_without_an_address_is_recorded_as_skipped()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await TestHost.ScalarAsync<int>("UPDATE wageclue.users SET email = NULL WHERE username = 'cw2.zd' RETURNING 1");
        try
        {
            Time.SetUtcNow(Local("2026-11-25T15:30:00"));
            await Jobs.SweepAsync();
            await Jobs.DrainAsync();
        }
        finally
        {
            await TestHost.ScalarAsync<int>("UPDATE wageclue.users SET email = 'cw2.zd@test.local' WHERE username = 'cw2.zd' RETURNING 1");
        }

        Assert.That(Jobs.Deliveries(TestSmtp.Messages), Is.EqualTo(new[] { "cw.zd 临期提醒" }), "not cw.zc of another district");
        var escalation = (await cw.GetArrayAsync($"/api/clues/{id}/escalations")).Single()!;
        var skipped = escalation["emails"]!.AsArray().Single(e => e!.Str("status") == "skipped")!;
        Assert.That((skipped.Str("recipientName"), skipped.Str("lastError")), Is.EqualTo(("测试cw2.zd", Outbox.NoAddress)));
        var entry = (await cw.GetArrayAsync($"/api/clues/{id}/history")).Last()!;
        Assert.That(entry["data"]!["skippedWithoutEmail"]![0]!["name"]!.GetValue<string>(), Is.EqualTo("测试cw2.zd"));
    }

    [Test]
    public async Task A_clue_entered_three_working_days_after_receipt_is_escalated_in_one_sweep()
    {
        var cw = await TestHost.As("cw.zd");
        // Received Friday 11-20: accept was due 11-20, connect 11-23, feedback today (Wednesday 11-25) 17:30.
        var id = (await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"))).Id();

        var result = await Jobs.SweepAsync();
        Assert.That((result.Clocks, result.Escalated, result.Superseded), Is.EqualTo((2, 4, 2)),
            "accept and connect: breach and second level each, their warnings superseded; feedback is not due before its warning at 15:30");
        Assert.That((await Jobs.SweepAsync()).Clocks, Is.Zero, "nothing is left due");

        var clue = await cw.GetObjectAsync($"/api/clues/{id}");
        Assert.That(new[] { "accept", "connect", "feedback" }.Select(c => Api.Clock(clue, c)["escalationLevel"]!.GetValue<int>()),
            Is.EqualTo(new[] { 3, 3, 0 }));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.workflow_clocks WHERE instance_id = @id AND overdue_at IS NOT NULL", new { id }), Is.EqualTo(2));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox"), Is.EqualTo(6),
            "breach: district caseworkers are not on its list, so supervisors only; second level: leader and supervisor");
    }

    [Test]
    public async Task After_an_outage_of_a_day_each_missed_escalation_is_sent_once_and_the_warning_is_superseded()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        // No sweep ran from Wednesday morning until Friday 18:00: connect's warning, breach and second level all passed.
        Time.SetUtcNow(Local("2026-11-27T18:00:00"));
        await Task.WhenAll(Jobs.SweepAsync(), Jobs.SweepAsync(), Jobs.SweepAsync());
        await Jobs.SweepAsync();
        await Jobs.DrainAsync();

        Assert.That(Jobs.Deliveries(TestSmtp.Messages), Is.EqualTo(new[] { "cw.zd 超时", "leader 二级督办", "sup.zd 二级督办", "sup.zd 超时" }));
        var escalations = await cw.GetArrayAsync($"/api/clues/{id}/escalations");
        Assert.That(escalations.Select(e => $"{e!.Str("levelId")}:{e!["superseded"]}"),
            Is.EquivalentTo(new[] { "warning:true", "breach:false", "second-level:false" }));
        var warning = escalations.Single(e => e!.Str("levelId") == "warning")!;
        Assert.That((warning.Str("pointAt"), warning["emails"]!.AsArray().Count), Is.EqualTo(("2026-11-26T15:30:00+08:00", 0)));
    }

    [Test]
    public async Task Two_servers_sweeping_500_due_clocks_at_once_queue_exactly_500_breach_emails_and_deliver_each_once()
    {
        await SeedDueClocksAsync(500, dueAt: Local("2026-11-25T09:00:00"));
        await using var second = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Jobs:SweepBatchSize"] = "37" });
        second.ResetTime(WageClueApp.DefaultNow);

        // Another server's sweep holds 250 of the clocks: this one takes the other 250 and skips those, without waiting.
        await using (var holder = new NpgsqlConnection(TestHost.ConnectionString))
        {
            await holder.OpenAsync();
            await using var held = await holder.BeginTransactionAsync();
            await holder.ExecuteAsync("SELECT id FROM wageclue.workflow_clocks ORDER BY id LIMIT 250 FOR UPDATE", transaction: held);
            var whileHeld = await Jobs.SweepAsync(second);
            Assert.That((whileHeld.Clocks, whileHeld.Escalated), Is.EqualTo((250, 250)));
        }
        // Then both servers at once, three runs each, over the 250 left.
        var sweeps = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Jobs.SweepAsync(i % 2 == 0 ? TestHost.App : second)));
        Assert.That(sweeps.Sum(s => s.Escalated), Is.EqualTo(250));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.escalations WHERE level_id = 'breach'"), Is.EqualTo(500));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox"), Is.EqualTo(500));

        await Task.WhenAll(Jobs.DrainAsync(TestHost.App), Jobs.DrainAsync(second), Jobs.DrainAsync(TestHost.App), Jobs.DrainAsync(second));
        Assert.That(TestSmtp.Messages, Has.Count.EqualTo(500));
        Assert.That(TestSmtp.Messages.Select(m => m.MessageId).Distinct().Count(), Is.EqualTo(500));
        Assert.That(TestSmtp.Messages.Select(m => m.To()), Is.All.EqualTo("sup.zd@test.local"));
    }

    [Test]
    public async Task One_run_sweeps_500_due_clocks_in_four_parallel_batch_loops_each_escalated_once_in_its_batch_transaction()
    {
        await SeedDueClocksAsync(500, dueAt: Local("2026-11-25T09:00:00"));
        await using var app = new WageClueApp(TestHost.ConnectionString,
            new Dictionary<string, string?> { ["Jobs:SweepBatchSize"] = "25", ["Jobs:SweepParallelism"] = "4" });
        app.ResetTime(WageClueApp.DefaultNow);

        var sweep = await Jobs.SweepAsync(app);

        Assert.That((sweep.Clocks, sweep.Escalated, sweep.EmailsQueued), Is.EqualTo((500, 500, 500)), "one run, nothing left for the next");
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.escalations WHERE level_id = 'breach'"), Is.EqualTo(500));
        Assert.That(await CountAsync("SELECT count(DISTINCT xmin::text) FROM wageclue.escalations"), Is.EqualTo(20), "batches of 25, each its own transaction");
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.workflow_clocks WHERE next_escalation_at <= @now", new { now = app.Time.GetUtcNow() }),
            Is.EqualTo(0));
        Assert.That((await Jobs.SweepAsync(app)).Clocks, Is.EqualTo(0));
    }

    [Test]
    public async Task While_the_mail_server_is_down_only_the_email_tried_waits_and_when_it_is_back_all_go_at_once_each_once()
    {
        var cw = await TestHost.As("cw.zd");
        for (var i = 0; i < 3; i++) await cw.RegisterAsync();
        await TestSmtp.StopAsync();
        Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.SweepAsync(); // 3 warnings to cw.zd and cw2.zd: 6 emails

        var first = await Jobs.DrainAsync();
        Assert.That((first.Sent, first.Rescheduled), Is.EqualTo((0, 1)), "the run stops at the first email that cannot be sent");
        Assert.That(await CountAsync("SELECT sum(attempts) FROM wageclue.email_outbox"), Is.EqualTo(1), "only the email tried counts an attempt");
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox WHERE attempts = 0 AND status = 'pending' AND next_attempt_at <= @now",
            new { now = Time.GetUtcNow() }), Is.EqualTo(5), "the five not tried keep their time: the first one's wait does not hold them back");
        for (var i = 0; i < 3; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            await Jobs.DrainAsync();
        }
        var rows = await TestHost.ScalarAsync<string>("SELECT string_agg(id || ':' || attempts || '@' || to_char(next_attempt_at AT TIME ZONE 'Asia/Shanghai', 'HH24:MI:SS'), ' ' ORDER BY id) FROM wageclue.email_outbox");
        Assert.That(await CountAsync("SELECT sum(attempts) FROM wageclue.email_outbox"), Is.LessThanOrEqualTo(4), $"one email tried per run at most: {rows}");
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox WHERE status = 'pending'"), Is.EqualTo(6));

        await TestSmtp.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(0.6)); // the circuit breaker's break (0.5 s in tests) may have started
        Assert.That((await Jobs.DrainAsync()).Sent, Is.EqualTo(6), "after a delivery every email that waited goes at once, backoff or not");
        Time.Advance(TimeSpan.FromHours(2));
        await Jobs.DrainAsync();

        Assert.That(TestSmtp.Messages, Has.Count.EqualTo(6));
        Assert.That(TestSmtp.Messages.Select(m => m.MessageId).Distinct().Count(), Is.EqualTo(6));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox WHERE status = 'sent'"), Is.EqualTo(6));
    }

    [Test]
    public async Task A_421_outage_of_half_an_hour_holds_the_emails_and_then_delivers_each_once()
    {
        var cw = await TestHost.As("cw.zd");
        for (var i = 0; i < 3; i++) await cw.RegisterAsync();
        TestSmtp.Unavailable = true;
        Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.SweepAsync(); // 3 warnings to cw.zd and cw2.zd: 6 emails

        // The sender's minute-by-minute runs through 30 minutes of "421 try later".
        for (var minute = 0; minute < 30; minute++)
        {
            await Jobs.DrainAsync();
            Time.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.That(TestSmtp.Messages, Is.Empty);
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox WHERE status = 'pending'"), Is.EqualTo(6), "a 421 is never a reason to give up");

        TestSmtp.Unavailable = false;
        await Task.Delay(TimeSpan.FromSeconds(0.6)); // the circuit breaker's break (0.5 s in tests) may have started
        var minutesToDeliver = 0;
        while (TestSmtp.Messages.Count < 6 && minutesToDeliver < 60)
        {
            await Jobs.DrainAsync();
            if (TestSmtp.Messages.Count < 6) { Time.Advance(TimeSpan.FromMinutes(1)); minutesToDeliver++; }
        }
        Assert.That(minutesToDeliver, Is.LessThanOrEqualTo(1), "the backlog drains at the first run after the server is back");
        Time.Advance(TimeSpan.FromHours(2));
        await Jobs.DrainAsync();
        Assert.That(TestSmtp.Messages.Select(m => m.MessageId).Distinct().Count(), Is.EqualTo(6));
        Assert.That(TestSmtp.Messages, Has.Count.EqualTo(6), "each delivered once");
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox WHERE status = 'sent'"), Is.EqualTo(6));
    }

    [Test]
    public async Task A_permanent_refusal_fails_the_email_at_once_and_it_is_not_retried()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        TestSmtp.RefuseFor("cw2.zd@test.local");
        Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.SweepAsync();

        var drained = await Jobs.DrainAsync();
        Assert.That((drained.Sent, drained.Failed, drained.Rescheduled), Is.EqualTo((1, 1, 0)));
        Time.Advance(TimeSpan.FromHours(3));
        Assert.That(await Jobs.DrainAsync(), Is.EqualTo(new DrainResult(0, 0, 0)));
        Assert.That(await CountAsync("SELECT attempts FROM wageclue.email_outbox WHERE to_address = 'cw2.zd@test.local'"), Is.EqualTo(1));

        var sup = await TestHost.As("sup.zd");
        var failed = await sup.GetObjectAsync("/api/escalations?status=failed");
        Assert.That(failed["total"]!.GetValue<long>(), Is.EqualTo(1));
        var email = failed["items"]![0]!["emails"]!.AsArray().Single(e => e!.Str("status") == "failed")!;
        Assert.That((email.Str("address"), email.Str("lastError")), Is.EqualTo(("cw2.zd@test.local", "550 mailbox unavailable")));
        Assert.That(failed["items"]![0]!["clueId"]!.GetValue<long>(), Is.EqualTo(id));
        var admin = await TestHost.As("admin");
        var emails = await admin.GetObjectAsync("/api/emails?status=failed");
        Assert.That(emails["items"]!.AsArray().Single()!.Str("lastError"), Does.StartWith("550"));
    }

    [Test]
    public async Task A_crash_between_sending_and_recording_resends_with_the_same_message_id()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync(Api.NewClue(c => c["districtId"] = "370303"));
        Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.SweepAsync();
        await Jobs.DrainAsync();
        var first = TestSmtp.Messages.First(m => m.To() == "cw.zd@test.local");
        // The sender died after the server took the email but before it recorded it: the claim is all that is left.
        await TestHost.ScalarAsync<int>("""
            UPDATE wageclue.email_outbox SET status = 'sending', claimed_at = @now, next_attempt_at = @now + interval '10 minutes'
            WHERE to_address = 'cw.zd@test.local' RETURNING 1
            """, new { now = Time.GetUtcNow() });

        Time.Advance(TimeSpan.FromMinutes(9));
        Assert.That((await Jobs.DrainAsync()).Sent, Is.Zero, "the claim is still held");
        Time.Advance(TimeSpan.FromMinutes(2));
        Assert.That((await Jobs.DrainAsync()).Sent, Is.EqualTo(1));
        var again = TestSmtp.Messages.Where(m => m.To() == "cw.zd@test.local").ToList();
        Assert.That(again.Select(m => m.MessageId), Is.EqualTo(new[] { first.MessageId!, first.MessageId! }));
    }

    [Test]
    public async Task Escalations_are_listed_by_district_date_and_status_and_bad_filters_are_named()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync();
        var zc = await TestHost.As("cw.zc");
        await zc.RegisterAsync(Api.NewClue(c => c["districtId"] = "370302"));
        Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.SweepAsync();

        var sup = await TestHost.As("sup.zd");
        Assert.That((await sup.GetObjectAsync("/api/escalations"))["total"]!.GetValue<long>(), Is.EqualTo(1), "only 张店");
        Assert.That((await sup.GetObjectAsync("/api/escalations?status=pending&date=2026-11-25&district=370303"))["total"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That((await sup.GetObjectAsync("/api/escalations?date=2026-11-24"))["total"]!.GetValue<long>(), Is.Zero);
        Assert.That((await sup.GetObjectAsync("/api/escalations?status=sent"))["total"]!.GetValue<long>(), Is.Zero);
        var leader = await TestHost.As("leader");
        Assert.That((await leader.GetObjectAsync("/api/escalations"))["total"]!.GetValue<long>(), Is.EqualTo(2), "the whole city");

        var bad = await Api.ExpectAsync(await sup.Http.GetAsync("/api/escalations?status=lost&date=2026-13-01&district=370302"), HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "status", "date", "district" }));
        await Api.ExpectAsync(await sup.Http.GetAsync("/api/emails"), HttpStatusCode.Forbidden);
        await Api.ExpectAsync(await zc.Http.GetAsync("/api/clues/1/escalations"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Outside_tests_the_sweep_goes_by_the_database_clock_not_the_servers()
    {
        await SeedDueClocksAsync(1, DateTimeOffset.UtcNow.AddMinutes(-1), "ZBPAST");
        await SeedDueClocksAsync(1, DateTimeOffset.UtcNow.AddHours(3), "ZBSOON");
        await using var app = new WageClueApp(TestHost.ConnectionString, new Dictionary<string, string?> { ["Jobs:Clock"] = "Database" });
        app.ResetTime(WageClueApp.DefaultNow); // this server's clock is days behind the database's

        var result = await Jobs.SweepAsync(app);
        Assert.That((result.Clocks, result.Escalated), Is.EqualTo((1, 1)));
        Assert.That(await TestHost.ScalarAsync<string>("SELECT c.tracking_code FROM wageclue.escalations e JOIN wageclue.clues c ON c.id = e.instance_id WHERE NOT e.superseded"),
            Is.EqualTo("ZBPAST000001"));
    }

    /// <summary>Clues with one accept clock each, due at <paramref name="dueAt"/>, unassigned in 张店, straight into the tables.</summary>
    internal static Task SeedDueClocksAsync(int count, DateTimeOffset dueAt, string codePrefix = "ZBSEED")
    {
        var phone = TestHost.App.Services.GetRequiredService<Features.Privacy.PersonalData>().SealPhone("13800001111");
        return TestHost.ScalarAsync<int>("""
            WITH i AS (
                INSERT INTO wageclue.workflow_instances (subject, definition_id, definition_version, calendar_version, state, district_id, created_at, updated_at)
                SELECT 'clue', 'wage-arrears-clue', 2, 1, 'received', '370303', @dueAt - interval '8 hours', @dueAt - interval '8 hours'
                FROM generate_series(1, @count) g
                RETURNING id)
            , c AS (
                INSERT INTO wageclue.clues (id, tracking_code, channel, complainant_name, complainant_phone_sealed, complainant_phone_hash,
                    complainant_phone_tail_hash, employer_name, worker_count, amount_owed, description, received_at, receipt_day)
                SELECT id, @codePrefix || lpad((row_number() OVER (ORDER BY id))::text, 6, '0'), 'hotline-12345',
                    '王五', @sealedPhone, @phoneHash, @tailHash, '某公司' || id, 1, 1000, '批量测试', @dueAt - interval '8 hours', (@dueAt)::date
                FROM i
                RETURNING id)
            INSERT INTO wageclue.workflow_clocks (instance_id, district_id, clock, started_at, due_at, provisional, next_escalation_at)
            SELECT id, '370303', 'accept', @dueAt - interval '8 hours', @dueAt, false, @dueAt - interval '2 hours' FROM c
            RETURNING 1
            """, new { count, dueAt = dueAt.UtcDateTime, codePrefix, sealedPhone = phone.Sealed, phoneHash = phone.Hash, tailHash = phone.TailHash });
    }
}
