using System.Diagnostics;
using Dapper;
using Hangfire;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using WageClue.Server.Infrastructure.Jobs;

namespace WageClue.Server.Features.Notifications;

public sealed record DrainResult(int Sent, int Failed, int Rescheduled);

/// <summary>
/// Sends the outbox: claims a batch (SKIP LOCKED, so several senders never take the same email), sends it over one
/// SMTP connection through <see cref="SmtpResilience"/>, and records each outcome. A crash between sending and
/// recording leaves the claim to expire; the email is then sent again with the same Message-ID, which mail clients
/// and the bureau's mail server recognise as the same message.
/// </summary>
public sealed class OutboxSender(NpgsqlDataSource db, JobClock clock, SmtpResilience smtp, IOptions<EmailOptions> options, ILogger<OutboxSender> logger)
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
    }

    [AutomaticRetry(Attempts = 0)] // a failed email waits in the outbox for its next attempt; the job itself is not retried
    public async Task<DrainResult> DrainAsync(CancellationToken cancel)
    {
        var o = options.Value.Outbox;
        var budget = Stopwatch.StartNew();
        var total = new DrainResult(0, 0, 0);
        while (!cancel.IsCancellationRequested && budget.Elapsed < o.RunTimeBudget)
        {
            var batch = await ClaimAsync(o);
            if (batch.Count == 0) break;
            var (result, serverDown) = await SendAsync(batch, cancel);
            total = new DrainResult(total.Sent + result.Sent, total.Failed + result.Failed, total.Rescheduled + result.Rescheduled);
            if (serverDown) break;
        }
        if (total != new DrainResult(0, 0, 0))
            logger.LogInformation("Outbox: {Sent} sent, {Failed} failed for good, {Rescheduled} to retry later", total.Sent, total.Failed, total.Rescheduled);
        return total;
    }

    private async Task<List<ClaimedEmail>> ClaimAsync(OutboxOptions o)
    {
        await using var conn = await db.OpenConnectionAsync();
        var now = await clock.NowAsync(conn);
        // Claiming moves next_attempt_at to the end of the lease: an email whose sender died becomes due again then.
        return (await conn.QueryAsync<ClaimedEmail>("""
            UPDATE wageclue.email_outbox SET status = 'sending', claimed_at = @now, next_attempt_at = @leaseEnd
            WHERE id IN (
                SELECT id FROM wageclue.email_outbox
                WHERE status IN ('pending', 'sending') AND next_attempt_at <= @now
                ORDER BY next_attempt_at, id
                LIMIT @BatchSize
                FOR UPDATE SKIP LOCKED)
            RETURNING id, to_address, subject, body, message_id, attempts
            """, new { now, leaseEnd = now + o.ClaimLease, o.BatchSize })).OrderBy(e => e.Id).ToList();
    }

    private async Task<(DrainResult Result, bool ServerDown)> SendAsync(List<ClaimedEmail> batch, CancellationToken cancel)
    {
        var o = options.Value;
        int sent = 0, failed = 0, rescheduled = 0;
        using var client = new SmtpClient();
        for (var i = 0; i < batch.Count; i++)
        {
            var email = batch[i];
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
                await RecordAsync(email.Id, EmailStatus.Sent, null, null);
                sent++;
            }
            catch (Exception e) when (SmtpResilience.IsPermanent(e) || e is ParseException)
            {
                // The server refused this message for good (5xx) or the address is malformed: retrying cannot help.
                logger.LogWarning("Email {Id} to recipient refused permanently: {Error}", email.Id, e.Message);
                await RecordAsync(email.Id, EmailStatus.Failed, Reason(e), null);
                failed++;
            }
            catch (Exception e) when (!cancel.IsCancellationRequested)
            {
                // The server is unreachable or said "later" through every retry: this and the rest of the batch wait.
                if (!SmtpResilience.IsTransient(e) && !SmtpResilience.IsCircuitOpen(e))
                    logger.LogError(e, "Email {Id} could not be sent", email.Id);
                var (status, wait) = NextAttempt(email.Attempts + 1, o.Outbox);
                await RecordAsync(email.Id, status, status == EmailStatus.Failed ? $"多次尝试后仍无法发送：{Reason(e)}" : Reason(e), wait);
                if (status == EmailStatus.Failed) failed++; else rescheduled++;
                // The rest of the batch was not tried: back to the queue, due when this one is, with no attempt counted.
                foreach (var rest in batch.Skip(i + 1))
                {
                    await RecordAsync(rest.Id, EmailStatus.Pending, null, wait ?? o.Outbox.FirstRetryAfter, attempted: false);
                    rescheduled++;
                }
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
