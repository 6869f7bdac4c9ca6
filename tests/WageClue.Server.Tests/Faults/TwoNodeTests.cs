using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace WageClue.Server.Tests.Faults;

/// <summary>
/// Two nodes as a bureau runs them (issues 12 and 13): two published server processes on loopback ports sharing one
/// PostgreSQL, each with its Hangfire server running the sweep and the outbox. A token from one node works on the
/// other; 300 clues come due together; one node is killed with -9 mid-sweep and started again. Exactly one
/// escalation per (clue, clock, level) and one delivery per email row follow. (SMTP itself can deliver a message
/// twice when a node dies after the mail server stored it and before the node read the 250; those are counted and
/// carry the same Message-ID.)
/// </summary>
[Category("Faults")]
public class TwoNodeTests : ApiTest
{
    [Test]
    public async Task Two_nodes_one_killed_mid_sweep_record_each_escalation_once_and_send_each_email_once()
    {
        // 300 clues received on 11-25 (the tests' clock): by the database's clock (today) every clock is long overdue.
        var cw = await TestHost.As("cw.zd");
        for (var i = 0; i < 300; i++) await cw.RegisterAsync();
        var environment = new Dictionary<string, string>
        {
            ["Email__Smtp__Host"] = "127.0.0.1", ["Email__Smtp__Port"] = TestSmtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Email__Smtp__Security"] = "None", ["Email__FromAddress"] = "wageclue@test.local", ["Email__BaseUrl"] = "https://wageclue.test",
            ["Email__Outbox__ClaimLease"] = "00:00:20", // a killed node's claims lapse within the test
            ["Auth__LoginAttemptsPerMinute"] = "10000",
            ["Jobs__SweepBatchSize"] = "20", // many small transactions, so the kill lands mid-sweep
        };
        var a = await PublishedServer.StartAsync(TestHost.ConnectionString, environment);
        var b = await PublishedServer.StartAsync(TestHost.ConnectionString, environment);
        try
        {
            var onA = await Api.LoginAsync(a.Http, "sup.zd", TestHost.Password);
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/clues?pageSize=1");
            request.Headers.Authorization = onA.Http.DefaultRequestHeaders.Authorization;
            Assert.That((await b.Http.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "a login on one node is good on the other");

            // The sweep runs at the whole minute on both nodes; kill A as soon as escalations are being recorded.
            var clock = Stopwatch.StartNew();
            while (await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.escalations") == 0 && clock.Elapsed < TimeSpan.FromSeconds(90))
                await Task.Delay(20);
            var atKill = await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.escalations");
            Assert.That(atKill, Is.GreaterThan(0), "a sweep started");
            Process.Start("kill", ["-9", a.ProcessId.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            await a.DisposeAsync();
            a = await PublishedServer.StartAsync(TestHost.ConnectionString, environment);

            // Done when nothing is due and no email waits (the killed node's claims lapse after 20 s).
            while (clock.Elapsed < TimeSpan.FromMinutes(6))
            {
                var due = await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.workflow_clocks WHERE next_escalation_at <= now()");
                var waiting = await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.email_outbox WHERE status IN ('pending', 'sending')");
                if (due == 0 && waiting == 0) break;
                await Task.Delay(500);
            }

            var escalations = await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.escalations");
            var distinct = await TestHost.ScalarAsync<long>("SELECT count(DISTINCT (instance_id, clock, level)) FROM wageclue.escalations");
            var sent = await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.email_outbox WHERE status = 'sent'");
            var notSent = await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.email_outbox WHERE status <> 'sent' AND status <> 'skipped'");
            var messages = TestSmtp.Messages;
            var twice = messages.GroupBy(m => m.MessageId).Count(g => g.Count() > 1);
            var report = $"two nodes, one killed with -9 mid-sweep ({atKill} escalations recorded at the kill): {escalations} escalations " +
                $"({distinct} distinct clue-clock-level), {sent} emails sent, {notSent} not sent, {messages.Count} deliveries, " +
                $"{messages.Select(m => m.MessageId).Distinct().Count()} distinct Message-IDs, {twice} delivered twice, {clock.Elapsed.TotalSeconds:0} s";
            await IntakeLoad.ReportAsync(report);
            Assert.That(escalations, Is.EqualTo(distinct).And.GreaterThanOrEqualTo(1800), report); // 300 clues × 3 clocks × breach and second level
            Assert.That(notSent, Is.Zero, report);
            Assert.That(messages.Select(m => m.MessageId).Distinct().Count(), Is.EqualTo(sent), report);
            Assert.That(twice, Is.LessThanOrEqualTo(2), report); // at most what the killed node had in flight over SMTP
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }
    }
}
