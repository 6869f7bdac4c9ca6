using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Sla;

public sealed class EscalationRow
{
    public long Id { get; init; }
    public long ClueId { get; init; }
    public string TrackingCode { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public string Clock { get; init; } = "";
    public int Level { get; init; }
    public string LevelId { get; init; } = "";
    public DateTimeOffset DueAt { get; init; }
    public DateTimeOffset PointAt { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public bool Superseded { get; init; }
}

public sealed class EmailRow
{
    public long Id { get; init; }
    public string Kind { get; init; } = "";
    public long? EscalationId { get; init; }
    public DateOnly? DigestDay { get; init; }
    public long RecipientId { get; init; }
    public string RecipientName { get; init; } = "";
    public string? ToAddress { get; init; }
    public string MessageId { get; init; } = "";
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
}

/// <param name="Status">An email status; "pending" includes emails being sent right now.</param>
/// <param name="From">Recorded at or after (UTC).</param>
/// <param name="To">Recorded before (UTC).</param>
public sealed record EscalationFilter(IReadOnlyList<string>? Districts, string? District, long? ClueId, string? Status,
    DateTimeOffset? From, DateTimeOffset? To, int Page, int PageSize);

public sealed class EscalationRepository(NpgsqlDataSource db)
{
    public async Task<(IReadOnlyList<EscalationRow> Items, long Total)> ListAsync(EscalationFilter f)
    {
        var where = new List<string>();
        if (f.Districts != null) where.Add("e.district_id = ANY(@Districts)");
        if (f.District != null) where.Add("e.district_id = @District");
        if (f.ClueId != null) where.Add("e.instance_id = @ClueId");
        if (f.From != null) where.Add("e.recorded_at >= @From");
        if (f.To != null) where.Add("e.recorded_at < @To");
        if (f.Status != null) where.Add("EXISTS (SELECT 1 FROM wageclue.email_outbox o WHERE o.escalation_id = e.id AND o.status = ANY(@Statuses))");
        var filter = where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "";
        var args = new
        {
            // Npgsql writes timestamptz only from UTC.
            Districts = f.Districts?.ToArray(), f.District, f.ClueId, From = f.From?.ToUniversalTime(), To = f.To?.ToUniversalTime(),
            Statuses = f.Status == "pending" ? new[] { "pending", "sending" } : new[] { f.Status ?? "" },
            f.PageSize, Offset = (f.Page - 1) * f.PageSize,
        };
        await using var conn = await db.OpenConnectionAsync();
        var items = (await conn.QueryAsync<EscalationRow>($"""
            SELECT e.id, e.instance_id AS clue_id, c.tracking_code, i.definition_id, i.definition_version, e.district_id, d.name AS district_name,
                   e.clock, e.level, e.level_id, e.due_at, e.point_at, e.recorded_at, e.superseded
            FROM wageclue.escalations e
            JOIN wageclue.clues c ON c.id = e.instance_id
            JOIN wageclue.workflow_instances i ON i.id = e.instance_id
            JOIN wageclue.districts d ON d.id = e.district_id
            {filter}
            ORDER BY e.recorded_at DESC, e.id DESC
            LIMIT @PageSize OFFSET @Offset
            """, args)).AsList();
        var total = await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM wageclue.escalations e {filter}", args);
        return (items, total);
    }

    public async Task<IReadOnlyList<EmailRow>> EmailsForAsync(IReadOnlyCollection<long> escalationIds)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<EmailRow>($"{SelectEmail} WHERE o.escalation_id = ANY(@ids) ORDER BY o.id", new { ids = escalationIds.ToArray() })).AsList();
    }

    /// <summary>Every email, digests included, for operators: who, status, reason; never the content.</summary>
    public async Task<(IReadOnlyList<EmailRow> Items, long Total)> EmailsAsync(string? status, int page, int pageSize)
    {
        var filter = status == null ? "" : "WHERE o.status = ANY(@statuses)";
        var args = new { statuses = status == "pending" ? new[] { "pending", "sending" } : new[] { status ?? "" }, pageSize, offset = (page - 1) * pageSize };
        await using var conn = await db.OpenConnectionAsync();
        var items = (await conn.QueryAsync<EmailRow>($"{SelectEmail} {filter} ORDER BY o.id DESC LIMIT @pageSize OFFSET @offset", args)).AsList();
        var total = await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM wageclue.email_outbox o {filter}", args);
        return (items, total);
    }

    private const string SelectEmail = """
        SELECT o.id, o.kind, o.escalation_id, o.digest_day, o.recipient_id, u.display_name AS recipient_name, o.to_address, o.message_id,
               o.status, o.attempts, o.last_error, o.created_at, o.sent_at, o.next_attempt_at
        FROM wageclue.email_outbox o JOIN wageclue.users u ON u.id = o.recipient_id
        """;
}
