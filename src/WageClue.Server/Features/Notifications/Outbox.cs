using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Notifications;

public static class EmailKinds
{
    public const string Escalation = "escalation";
    public const string Digest = "digest";
    /// <summary>Sent at once by an action (督办, 移交), once per action and recipient.</summary>
    public const string Notice = "notice";
}

public static class EmailStatus
{
    public const string Pending = "pending";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    /// <summary>The recipient has no email address: recorded so that a supervisor can see who was not told.</summary>
    public const string Skipped = "skipped";

    public static readonly IReadOnlyList<string> All = [Pending, Sending, Sent, Failed, Skipped];
}

/// <summary>An email to queue, with a Message-ID derived from what it is about (<see cref="MessageIds"/>).</summary>
public sealed record QueuedEmail(string Kind, long? EscalationId, DateOnly? DigestDay, Recipient To, RenderedEmail Content, string MessageId,
    string? NoticeKey = null);

public static class MessageIds
{
    /// <remarks>The first round of a clock keeps the form the first release used, so a resend matches an older email.</remarks>
    public static string ForEscalation(long clueId, string clock, int level, long recipientId, string domain, int round = 1) =>
        round == 1 ? $"escalation.{clueId}.{clock}.{level}.{recipientId}@{domain}" : $"escalation.{clueId}.{clock}-{round}.{level}.{recipientId}@{domain}";

    public static string ForNotice(string noticeKey, long recipientId, string domain) => $"notice.{noticeKey}.{recipientId}@{domain}";

    public static string ForDigest(DateOnly day, long recipientId, string domain) =>
        $"digest.{day:yyyyMMdd}.{recipientId}@{domain}";
}

/// <param name="Waiting">Pending or being sent.</param>
/// <param name="OldestDue">The earliest time a waiting email was due to be tried, if one is due now.</param>
/// <param name="Failed">Given up (a 5xx such as 550, a bad address, or retries exhausted): an operator's to look at.</param>
public sealed record OutboxFigures(long Waiting, DateTimeOffset? OldestDue, long Failed);

/// <summary>Writes to the outbox inside the caller's transaction, so an email exists exactly when what caused it does.</summary>
public static class Outbox
{
    /// <summary>The backlog and the failures, for the metrics; each count on its own index (email_outbox_work_idx, email_outbox_status_idx).</summary>
    public static async Task<OutboxFigures> FiguresAsync(NpgsqlConnection conn, DateTimeOffset now)
    {
        var row = await conn.QuerySingleAsync<(long Waiting, DateTime? OldestDue, long Failed)>("""
            SELECT (SELECT count(*) FROM wageclue.email_outbox WHERE status IN ('pending', 'sending')),
                   (SELECT min(next_attempt_at) FROM wageclue.email_outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= @now),
                   (SELECT count(*) FROM wageclue.email_outbox WHERE status = 'failed')
            """, new { now = now.ToUniversalTime() });
        return new OutboxFigures(row.Waiting, row.OldestDue is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : null, row.Failed);
    }

    public const string NoAddress = "用户未设置邮箱地址，未发送";

    /// <returns>False when that email was already queued (the unique keys hold), so nothing was added.</returns>
    public static async Task<bool> QueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, QueuedEmail email, DateTimeOffset now) =>
        await QueueManyAsync(conn, tx, [email], now) == 1;

    /// <summary>
    /// Emails in one statement (the sweep's batch, or one): a recipient without an address is recorded as skipped, so a
    /// supervisor can see who was not told.
    /// </summary>
    /// <returns>How many were added; one queued before (the unique keys hold) is not added again.</returns>
    public static async Task<int> QueueManyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<QueuedEmail> emails, DateTimeOffset now)
    {
        if (emails.Count == 0) return 0;
        return await conn.ExecuteAsync("""
            INSERT INTO wageclue.email_outbox (kind, escalation_id, digest_day, notice_key, recipient_id, to_address, subject, body, message_id,
                status, next_attempt_at, last_error, created_at)
            SELECT kind, escalation_id, digest_day, notice_key, recipient_id, to_address, subject, body, message_id,
                CASE WHEN to_address IS NULL THEN @skipped ELSE @pending END, @now, CASE WHEN to_address IS NULL THEN @NoAddress END, @now
            FROM unnest(@kinds, @escalationIds, @digestDays, @noticeKeys, @recipientIds, @addresses, @subjects, @bodies, @messageIds)
                AS e(kind, escalation_id, digest_day, notice_key, recipient_id, to_address, subject, body, message_id)
            ON CONFLICT DO NOTHING
            """, new
            {
                kinds = emails.Select(e => e.Kind).ToArray(), escalationIds = emails.Select(e => e.EscalationId).ToArray(),
                digestDays = emails.Select(e => e.DigestDay).ToArray(), noticeKeys = emails.Select(e => e.NoticeKey).ToArray(),
                recipientIds = emails.Select(e => e.To.Id).ToArray(), addresses = emails.Select(e => e.To.Email).ToArray(),
                subjects = emails.Select(e => e.Content.Subject).ToArray(), bodies = emails.Select(e => e.Content.Body).ToArray(),
                messageIds = emails.Select(e => e.MessageId).ToArray(),
                skipped = EmailStatus.Skipped, pending = EmailStatus.Pending, NoAddress, now,
            }, tx);
    }
}
