using System.Net;
using Microsoft.Extensions.DependencyInjection;
using WageClue.Server.Features.Notifications;

namespace WageClue.Server.Tests.Hardening;

/// <summary>Issue 13: the outbox defects the fault probe found, each reproduced here on the real database and SMTP server.</summary>
public class OutboxFaultTests : ApiTest
{
    private static Task<long> CountAsync(string sql) => TestHost.ScalarAsync<long>(sql);

    [Test]
    public async Task An_email_the_server_accepted_is_not_sent_again_when_the_database_fails_before_it_is_recorded()
    {
        await using var proxy = TcpProxy.ForTestDatabase();
        await using var app = proxy.App();
        app.ResetTime(Time.GetUtcNow());
        var cw = await Api.LoginAsync(app.CreateClient(), "cw.zd", TestHost.Password);
        await cw.RegisterAsync();
        app.Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.SweepAsync(app); // two warnings: cw.zd and cw2.zd

        // The database goes away the moment the mail server takes the first email, before it answers 250.
        TestSmtp.OnAccepting = _ => proxy.Stop();
        Assert.That((await Jobs.DrainAsync(app)).Sent, Is.EqualTo(1), "delivered, though not recorded");
        TestSmtp.OnAccepting = null;
        Assert.That(TestSmtp.Messages, Has.Count.EqualTo(1));

        proxy.Start();
        app.Time.Advance(TimeSpan.FromMinutes(15)); // past any lease
        for (var i = 0; i < 3; i++)
        {
            try { await Jobs.DrainAsync(app); break; }
            catch (Npgsql.NpgsqlException) { await Task.Delay(500); } // the pool finds its dead connections
        }
        await Jobs.DrainAsync(app);
        Assert.That(TestSmtp.Messages.GroupBy(m => m.MessageId).Select(g => g.Count()), Is.All.EqualTo(1), "no email twice");
        Assert.That(TestSmtp.Messages, Has.Count.EqualTo(2));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.email_outbox WHERE status = 'sent'"), Is.EqualTo(2));
    }

    [Test]
    public async Task The_jobs_retry_at_once_after_the_services_connections_were_terminated()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync();
        Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.DrainAsync(); // the pool holds connections now
        await using (var admin = new Npgsql.NpgsqlConnection(TestHost.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new Npgsql.NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", admin);
            Assert.That((long)(await kill.ExecuteScalarAsync())!, Is.GreaterThan(0));
        }
        // The tests' own connections (the global pool) are forgotten; the app's data source must cope by itself.
        Npgsql.NpgsqlConnection.ClearAllPools();
        // Each pooled connection is dead: without the retry the first statement of each job failed the run.
        var swept = await Jobs.SweepAsync();
        Assert.That(swept.Escalated, Is.EqualTo(1));
        Assert.That((await Jobs.DrainAsync()).Sent, Is.EqualTo(2));
        // Dead connections the jobs did not meet would fail the next tests' first requests (with a 503).
        TestHost.App.Services.GetRequiredService<Npgsql.NpgsqlDataSource>().Clear();
    }

    [Test]
    public async Task A_dead_senders_claims_lapse_within_the_short_lease()
    {
        var options = TestHost.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmailOptions>>().Value.Outbox;
        Assert.That(options.ClaimLease, Is.EqualTo(TimeSpan.FromMinutes(2)));
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync();
        Time.SetUtcNow(Local("2026-11-25T15:30:00"));
        await Jobs.SweepAsync();
        // A sender claimed both and died: its claim ends 2 minutes on.
        await TestHost.ScalarAsync<int>("""
            UPDATE wageclue.email_outbox SET status = 'sending', claimed_at = @now, next_attempt_at = @now + interval '2 minutes' RETURNING 1
            """, new { now = Time.GetUtcNow() });
        Time.Advance(TimeSpan.FromMinutes(1));
        Assert.That((await Jobs.DrainAsync()).Sent, Is.Zero, "still claimed");
        Time.Advance(TimeSpan.FromMinutes(1.5));
        Assert.That((await Jobs.DrainAsync()).Sent, Is.EqualTo(2), "a dead sender's claim lapses in two minutes, not ten");
    }
}
