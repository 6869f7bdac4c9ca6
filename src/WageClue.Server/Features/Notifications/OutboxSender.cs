using System.Diagnostics;
using Dapper;
using Hangfire;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using WageClue.Server.Infrastructure.Database;
using WageClue.Server.Infrastructure.Jobs;

namespace WageClue.Server.Features.Notifications;

public sealed record DrainResult(int Sent, int Failed, int Rescheduled);

/// <summary>
/// Sends the outbox: claims a batch (SKIP LOCKED, so several senders never take the same email), sends it over one
/// SMTP connection through <see cref="SmtpResilience"/>, and records each outcome.
/// <list type="bullet">
/// <item>Exactly once: an email the server accepted goes into the <see cref="SentJournal"/> before its row is marked
/// sent (with <see cref="DatabaseRetry"/>); if the database is away, the journal marks it at the next drain, and
/// an email in the journal is never sent again. Only a crash between the server's acceptance and the journal's write
/// can send twice, and then with the same Message-ID.</item>
/// <item>A claim is a lease that the sender renews while it works (a heartbeat); a sender that died leaves its claims
/// to lapse within <see cref="OutboxOptions.ClaimLease"/>.</item>
/// <item>When the server cannot be reached, only the email tried waits (doubling, up to an hour); the rest of the
/// batch keeps its time. After the next delivery every email that was waiting for the server is due at once.</item>
/// </list>
/// </summary>
public sealed class OutboxSender(NpgsqlDataSource db, JobClock clock, SmtpResilience smtp, SentJournal journal, IOptions<EmailOptions> options,
    Infrastructure.Observability.ServiceMetrics metrics, ILogger<OutboxSender> logger)
{
    public const string RecurringJobId = "outbox-retry";

    private sealed class ClaimedEmail
    {
        public long Id { get; init; }
        public string ToAddress { get; init; } = "";
        public string Subject { get; init; } = "";
        public string Body { get; init; } = "";
        public string MessageId { get; init; } = "";
        public int Attempts { get; init; }

        /// <summary>When it was due before the claim moved it to the lease's end: an email not tried gets it back.</summary>
        public DateTime DueAt { get; init; }
    }

    [AutomaticRetry(Attempts = 0)] // a failed email waits in the outbox for its next attempt; the job itself is not retried
    public async Task<DrainResult> DrainAsync(CancellationToken cancel)
    {
        var o = options.Value.Outbox;
        var budget = Stopwatch.StartNew();
        var total = new DrainResult(0, 0, 0);
        // First what the server accepted while the database could not record it (this process's, or a dead one's).
        await journal.FlushAsync(ids => DatabaseRetry.RunAsync(async _ => await MarkSentAsync(ids), cancel).AsTask());
        var backlogReleased = false;
        while (!cancel.IsCancellationRequested && budget.Elapsed < o.RunTimeBudget)
        {
            var batch = await DatabaseRetry.RunAsync(async _ => await ClaimAsync(o), cancel);
            if (batch.Count == 0) break;
            var (result, stop) = await SendWithHeartbeatAsync(batch, o, cancel);
            total = new DrainResult(total.Sent + result.Sent, total.Failed + result.Failed, total.Rescheduled + result.Rescheduled);
            await ForgetJournaledAsync(cancel);
            if (stop) break;
            // The server is taking email again: what waited for it is due now, not after its backoff.
            if (result.Sent > 0 && !backlogReleased)
            {
                backlogReleased = true;
                await DatabaseRetry.RunAsync(async _ => await ReleaseBackoffAsync(), cancel);
            }
        }
        if (total != new DrainResult(0, 0, 0))
            logger.LogInformation("Outbox: {Sent} sent, {Failed} failed for good, {Rescheduled} to retry later", total.Sent, total.Failed, total.Rescheduled);
        return total;
    }

    /// <summary>
    /// After each batch: what it journaled is recorded already, so the journal is emptied and stays a batch long
    /// (each send looks into it). If the database failed meanwhile the entries stay, for the next drain.
    /// </summary>
    private async Task ForgetJournaledAsync(CancellationToken cancel)
    {
        try
        {
            await journal.FlushAsync(ids => DatabaseRetry.RunAsync(async _ => await MarkSentAsync(ids), cancel).AsTask());
        }
        catch (NpgsqlException e)
        {
            logger.LogWarning("Outbox: the journal of delivered emails waits for the database ({Error})", e.Message);
        }
    }

    private async Task<List<ClaimedEmail>> ClaimAsync(OutboxOptions o)
    {
        await using var conn = await db.OpenConnectionAsync();
        var now = await clock.NowAsync(conn);
        // Claiming moves next_attempt_at to the end of the lease: an email whose sender died becomes due again then.
        return (await conn.QueryAsync<ClaimedEmail>("""
            WITH due AS (
                SELECT id, next_attempt_at FROM wageclue.email_outbox
                WHERE status IN ('pending', 'sending') AND next_attempt_at <= @now
                ORDER BY next_attempt_at, id
                LIMIT @BatchSize
                FOR UPDATE SKIP LOCKED)
            UPDATE wageclue.email_outbox o SET status = 'sending', claimed_at = @now, next_attempt_at = @leaseEnd
            FROM due WHERE o.id = due.id
            RETURNING o.id, o.to_address, o.subject, o.body, o.message_id, o.attempts, due.next_attempt_at AS due_at
            """, new { now, leaseEnd = now + o.ClaimLease, o.BatchSize })).OrderBy(e => e.Id).ToList();
    }

    /// <summary>Sends the batch while renewing its lease every third of it, so a slow server never makes a live claim lapse.</summary>
    private async Task<(DrainResult Result, bool Stop)> SendWithHeartbeatAsync(List<ClaimedEmail> batch, OutboxOptions o, CancellationToken cancel)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var ids = batch.Select(e => e.Id).ToArray();
        var heartbeat = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(o.ClaimLease / 3);
            try
            {
                while (await timer.WaitForNextTickAsync(done.Token)) await RenewAsync(ids, o.ClaimLease);
            }
            catch (OperationCanceledException) { /* the batch is over */ }
            catch (Exception e) { logger.LogWarning("Renewing the outbox claims failed: {Error}", e.Message); }
        }, CancellationToken.None);
        try
        {
            return await SendAsync(batch, cancel);
        }
        finally
        {
            await done.CancelAsync();
            await heartbeat;
        }
    }

    private async Task<(DrainResult Result, bool Stop)> SendAsync(List<ClaimedEmail> batch, CancellationToken cancel)
    {
        var o = options.Value;
        int sent = 0, failed = 0, rescheduled = 0;
        using var client = new SmtpClient();
        for (var i = 0; i < batch.Count; i++)
        {
            var email = batch[i];
            if (journal.Contains(email.Id))
            {
                // Accepted by the server before; only the record was lost. Never sent twice.
                await DatabaseRetry.RunAsync(async _ => await RecordAsync(email.Id, EmailStatus.Sent, null, null), cancel);
                sent++;
                continue;
            }
            try
            {
                var message = Compose(email, o);
                await smtp.Pipeline.ExecuteAsync(async ct =>
                {
                    if (!client.IsConnected)
                    {
                        await client.ConnectAsync(o.Smtp.Host, o.Smtp.Port, o.Smtp.Security, ct);
                        if (!string.IsNullOrEmpty(o.Smtp.Username)) await client.AuthenticateAsync(o.Smtp.Username, o.Smtp.Password ?? "", ct);
                    }
                    await client.SendAsync(message, ct);
                }, cancel);
            }
            catch (Exception e) when (SmtpResilience.IsPermanent(e) || e is ParseException)
            {
                // The server refused this message for good (5xx) or the address is malformed: retrying cannot help.
                logger.LogWarning("Email {Id} to recipient refused permanently: {Error}", email.Id, e.Message);
                metrics.EmailRefused();
                await DatabaseRetry.RunAsync(async _ => await RecordAsync(email.Id, EmailStatus.Failed, Reason(e), null), cancel);
                failed++;
                continue;
            }
            catch (Exception e) when (!cancel.IsCancellationRequested)
            {
                // The server is unreachable or said "later" through every retry. An open circuit means it was not
                // even tried: then it keeps its time like the rest of the batch.
                var tried = !SmtpResilience.IsCircuitOpen(e);
                if (!SmtpResilience.IsTransient(e) && tried)
                    logger.LogError(e, "Email {Id} could not be sent", email.Id);
                if (tried)
                {
                    var (status, wait) = NextAttempt(email.Attempts + 1, o.Outbox);
                    await DatabaseRetry.RunAsync(async _ => await RecordAsync(email.Id, status,
                        status == EmailStatus.Failed ? $"多次尝试后仍无法发送：{Reason(e)}" : Reason(e), wait), cancel);
                    if (status == EmailStatus.Failed) failed++; else rescheduled++;
                }
                await DatabaseRetry.RunAsync(async _ => await ReleaseAsync(batch.Skip(tried ? i + 1 : i).ToList()), cancel);
                return (new DrainResult(sent, failed, rescheduled), true);
            }

            // The server has it. From here on a failure is ours (the database), never a reason to send it again.
            journal.Add(email.Id);
            metrics.EmailSent();
            sent++;
            try
            {
                await DatabaseRetry.RunAsync(async _ => await RecordAsync(email.Id, EmailStatus.Sent, null, null), cancel);
            }
            catch (Npgsql.NpgsqlException e)
            {
                logger.LogWarning("Email {Id} was delivered but the database could not record it ({Error}); the journal will", email.Id, e.Message);
                return (new DrainResult(sent, failed, rescheduled), true);
            }
        }
        if (client.IsConnected) await client.DisconnectAsync(quit: true, CancellationToken.None);
        return (new DrainResult(sent, failed, rescheduled), false);
    }
    private static MimeMessage Compose(ClaimedEmail email, EmailOptions o)
    {
        var message = new MimeMessage
        {
            MessageId = email.MessageId,
            Subject = email.Subject,
            Body = new TextPart("plain") { Text = email.Body },
        };
        message.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        message.To.Add(MailboxAddress.Parse(email.ToAddress));
        // Tells auto-responders (out-of-office) not to answer.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        return message;
    }

    /// <summary>The wait doubles with each failed run, up to an hour; after the last allowed attempt the email is failed.</summary>
    private static (string Status, TimeSpan? Wait) NextAttempt(int attempts, OutboxOptions o) =>
        attempts >= o.MaxAttempts
            ? (EmailStatus.Failed, null)
            : (EmailStatus.Pending, TimeSpan.FromTicks(Math.Min(TimeSpan.FromHours(1).Ticks, o.FirstRetryAfter.Ticks << Math.Min(attempts - 1, 20))));

    private static string Reason(Exception e) => e switch
    {
        SmtpCommandException c => $"{(int)c.StatusCode} {c.Message}",
        _ => e.Message,
    };

    /// <summary>Emails of a batch that were not tried: back to the queue with the time they had, no attempt counted.</summary>
    private async Task ReleaseAsync(IReadOnlyList<ClaimedEmail> untried)
    {
        if (untried.Count == 0) return;
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            UPDATE wageclue.email_outbox o SET status = 'pending', claimed_at = NULL, next_attempt_at = r.due_at
            FROM unnest(@ids, @dues) AS r(id, due_at)
            WHERE o.id = r.id AND o.status = 'sending'
            """, new { ids = untried.Select(e => e.Id).ToArray(), dues = untried.Select(e => DateTime.SpecifyKind(e.DueAt, DateTimeKind.Utc)).ToArray() });
    }

    /// <summary>After a delivery: every email that waited for the server to come back (tried before, not failed) is due now.</summary>
    private async Task ReleaseBackoffAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        var now = await clock.NowAsync(conn);
        await conn.ExecuteAsync("""
            UPDATE wageclue.email_outbox SET next_attempt_at = @now
            WHERE status = 'pending' AND attempts > 0 AND next_attempt_at > @now
            """, new { now });
    }

    private async Task RenewAsync(long[] ids, TimeSpan lease)
    {
        await using var conn = await db.OpenConnectionAsync();
        var now = await clock.NowAsync(conn);
        await conn.ExecuteAsync("UPDATE wageclue.email_outbox SET next_attempt_at = @until WHERE id = ANY(@ids) AND status = 'sending'",
            new { ids, until = now + lease });
    }

    private async Task MarkSentAsync(IReadOnlyList<long> ids)
    {
        await using var conn = await db.OpenConnectionAsync();
        var now = await clock.NowAsync(conn);
        var marked = await conn.ExecuteAsync("""
            UPDATE wageclue.email_outbox SET status = 'sent', sent_at = @now, claimed_at = NULL, attempts = attempts + 1
            WHERE id = ANY(@ids) AND status <> 'sent'
            """, new { ids = ids.ToArray(), now });
        if (marked > 0) logger.LogInformation("Outbox: {Count} emails delivered earlier recorded from the journal", marked);
    }

    private async Task RecordAsync(long id, string status, string? error, TimeSpan? retryAfter, bool attempted = true)
    {
        await using var conn = await db.OpenConnectionAsync();
        var now = await clock.NowAsync(conn);
        await conn.ExecuteAsync("""
            UPDATE wageclue.email_outbox
            SET status = @status, attempts = attempts + @counted, last_error = coalesce(@error, last_error), claimed_at = NULL,
                sent_at = CASE WHEN @status = 'sent' THEN @now END,
                next_attempt_at = coalesce(@next, next_attempt_at)
            WHERE id = @id
            """, new { id, status, error, counted = attempted ? 1 : 0, now, next = retryAfter is { } w ? now + w : (DateTimeOffset?)null });
    }
}
