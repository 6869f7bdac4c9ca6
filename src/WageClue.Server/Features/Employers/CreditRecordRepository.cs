using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Employers;

public static class CreditStatuses
{
    public const string Proposed = "proposed";
    public const string Confirmed = "confirmed";
    public const string Withdrawn = "withdrawn";

    public static string ChineseName(string status) => status switch
    {
        Proposed => "待确认",
        Confirmed => "已确认",
        Withdrawn => "已撤回",
        _ => status,
    };
}

public sealed class CreditRecordRow
{
    public long Id { get; init; }
    public long EmployerId { get; init; }
    public string EmployerName { get; init; } = "";
    public string? EmployerCreditCode { get; init; }
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public string Finding { get; init; } = "";
    public decimal Amount { get; init; }
    public DateOnly FoundOn { get; init; }
    public string Status { get; init; } = "";
    public int Revision { get; init; }
    public long RecordedBy { get; init; }
    public string RecordedByName { get; init; } = "";
    public DateTimeOffset RecordedAt { get; init; }
    public long? ConfirmedBy { get; init; }
    public string? ConfirmedByName { get; init; }
    public DateTimeOffset? ConfirmedAt { get; init; }
    public string[] ClueCodes { get; init; } = [];
    public long[] ClueIds { get; init; } = [];
}

public sealed class CreditRevisionRow
{
    public long RecordId { get; init; }
    public int Revision { get; init; }
    public string Kind { get; init; } = "";
    public string Finding { get; init; } = "";
    public decimal Amount { get; init; }
    public DateOnly FoundOn { get; init; }
    public string Status { get; init; } = "";
    public string? Reason { get; init; }
    public string ChangedByName { get; init; } = "";
    public DateTimeOffset ChangedAt { get; init; }
}

public sealed record NewCreditRecord(long EmployerId, string DistrictId, long ClueId, string Finding, decimal Amount, DateOnly FoundOn);

public sealed record CreditCorrection(string Finding, decimal Amount, DateOnly FoundOn, bool Withdraw, string Reason);

public enum CreditWrite { Done, NotFound, Conflict }

/// <summary>
/// The only SQL of 不良行为记录. A record is never deleted or silently changed: every write adds a revision holding
/// the values as they became, with who and why, and a change names the revision it was made from (a concurrent
/// confirmation and correction cannot both apply).
/// </summary>
public sealed class CreditRecordRepository(NpgsqlDataSource db)
{
    private const string Select = """
        SELECT r.*, e.name AS employer_name, e.credit_code AS employer_credit_code, d.name AS district_name,
               ru.display_name AS recorded_by_name, cu.display_name AS confirmed_by_name,
               array(SELECT c.tracking_code FROM wageclue.credit_record_clues l JOIN wageclue.clues c ON c.id = l.clue_id WHERE l.record_id = r.id ORDER BY c.id) AS clue_codes,
               array(SELECT l.clue_id FROM wageclue.credit_record_clues l WHERE l.record_id = r.id ORDER BY l.clue_id) AS clue_ids
        FROM wageclue.credit_records r
        JOIN wageclue.employers e ON e.id = r.employer_id
        JOIN wageclue.districts d ON d.id = r.district_id
        JOIN wageclue.users ru ON ru.id = r.recorded_by
        LEFT JOIN wageclue.users cu ON cu.id = r.confirmed_by
        """;

    /// <returns>The new record's id, or null when the clue is already the ground of a record.</returns>
    public async Task<long?> RecordAsync(NewCreditRecord r, long userId, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var id = await conn.ExecuteScalarAsync<long>("""
            INSERT INTO wageclue.credit_records (employer_id, district_id, finding, amount, found_on, status, recorded_by, recorded_at)
            VALUES (@EmployerId, @DistrictId, @Finding, @Amount, @FoundOn, 'proposed', @userId, @now) RETURNING id
            """, new { r.EmployerId, r.DistrictId, r.Finding, r.Amount, r.FoundOn, userId, now }, tx);
        // The clue's primary key decides a race of two recordings of one clue.
        var linked = await conn.ExecuteAsync("""
            INSERT INTO wageclue.credit_record_clues (clue_id, record_id) VALUES (@ClueId, @id) ON CONFLICT (clue_id) DO NOTHING
            """, new { r.ClueId, id }, tx);
        if (linked == 0) return null; // disposing rolls the record back
        await ReviseAsync(conn, tx, id, "recorded", null, userId, now);
        await tx.CommitAsync();
        return id;
    }

    public async Task<CreditWrite> ConfirmAsync(long id, int revision, long userId, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var rows = await conn.ExecuteAsync("""
            UPDATE wageclue.credit_records SET status = 'confirmed', confirmed_by = @userId, confirmed_at = @now, revision = revision + 1
            WHERE id = @id AND revision = @revision AND status = 'proposed'
            """, new { id, revision, userId, now }, tx);
        if (rows == 0) return await ExistsAsync(conn, tx, id) ? CreditWrite.Conflict : CreditWrite.NotFound;
        await ReviseAsync(conn, tx, id, "confirmed", null, userId, now);
        await tx.CommitAsync();
        return CreditWrite.Done;
    }

    public async Task<CreditWrite> CorrectAsync(long id, int revision, CreditCorrection c, long userId, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var rows = await conn.ExecuteAsync("""
            UPDATE wageclue.credit_records SET finding = @Finding, amount = @Amount, found_on = @FoundOn,
                status = CASE WHEN @Withdraw THEN 'withdrawn' ELSE status END, revision = revision + 1
            WHERE id = @id AND revision = @revision AND status <> 'withdrawn'
            """, new { id, revision, c.Finding, c.Amount, c.FoundOn, c.Withdraw }, tx);
        if (rows == 0) return await ExistsAsync(conn, tx, id) ? CreditWrite.Conflict : CreditWrite.NotFound;
        await ReviseAsync(conn, tx, id, c.Withdraw ? "withdrawn" : "corrected", c.Reason, userId, now);
        await tx.CommitAsync();
        return CreditWrite.Done;
    }

    public async Task<CreditRecordRow?> FindAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<CreditRecordRow>($"{Select} WHERE r.id = @id", new { id });
    }

    public async Task<CreditRecordRow?> ForClueAsync(long clueId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<CreditRecordRow>(
            $"{Select} WHERE r.id = (SELECT record_id FROM wageclue.credit_record_clues WHERE clue_id = @clueId)", new { clueId });
    }

    /// <param name="districts">The districts whose records to read; null for the whole city.</param>
    public async Task<(IReadOnlyList<CreditRecordRow> Items, long Total)> ListAsync(IReadOnlyList<string>? districts, long? employerId, string? status,
        int page, int pageSize)
    {
        await using var conn = await db.OpenConnectionAsync();
        const string Where = """
            WHERE (@districts::text[] IS NULL OR r.district_id = ANY(@districts)) AND (@employerId::bigint IS NULL OR r.employer_id = @employerId)
              AND (@status::text IS NULL OR r.status = @status)
            """;
        var args = new { districts = districts?.ToArray(), employerId, status, limit = pageSize, offset = (long)(page - 1) * pageSize };
        var items = (await conn.QueryAsync<CreditRecordRow>($"{Select} {Where} ORDER BY r.found_on DESC, r.id DESC LIMIT @limit OFFSET @offset", args)).AsList();
        var total = await conn.ExecuteScalarAsync<long>($"SELECT count(*) FROM wageclue.credit_records r {Where}", args);
        return (items, total);
    }

    public async Task<IReadOnlyList<CreditRevisionRow>> RevisionsAsync(IReadOnlyCollection<long> recordIds)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<CreditRevisionRow>("""
            SELECT v.*, u.display_name AS changed_by_name FROM wageclue.credit_record_revisions v JOIN wageclue.users u ON u.id = v.changed_by
            WHERE v.record_id = ANY(@ids) ORDER BY v.record_id, v.revision
            """, new { ids = recordIds.ToArray() })).AsList();
    }

    private static Task<bool> ExistsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id) =>
        conn.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM wageclue.credit_records WHERE id = @id)", new { id }, tx);

    /// <summary>The record's values as they are now, as its newest revision.</summary>
    private static Task ReviseAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, string kind, string? reason, long userId, DateTimeOffset now) =>
        conn.ExecuteAsync("""
            INSERT INTO wageclue.credit_record_revisions (record_id, revision, kind, finding, amount, found_on, status, reason, changed_by, changed_at)
            SELECT id, revision, @kind, finding, amount, found_on, status, @reason, @userId, @now FROM wageclue.credit_records WHERE id = @id
            """, new { id, kind, reason, userId, now }, tx);
}
