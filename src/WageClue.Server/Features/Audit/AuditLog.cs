using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Audit;

public sealed class PersonalDataViewRow
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public string Viewer { get; init; } = "";
    public string ViewerName { get; init; } = "";
    public string TrackingCode { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string Purpose { get; init; } = "";
}

public sealed class UserAuditRow
{
    public long Id { get; init; }
    public DateTime At { get; init; }
    public string? Actor { get; init; }
    public string? ActorName { get; init; }
    public string TargetUsername { get; init; } = "";
    public string TargetName { get; init; } = "";
    public string Action { get; init; } = "";
    public string Details { get; init; } = "";
}

/// <summary>
/// The two logs an auditor reads, and the only SQL of their tables: who saw a complainant's full data
/// (pii_access_log), and every change to a user account (user_audit_log). Both are append-only in the database
/// (migration 0013: rows never change and go only after 6 months).
/// </summary>
public sealed class AuditLog(NpgsqlDataSource db)
{
    public static readonly IReadOnlyDictionary<string, string> ActionNames = new Dictionary<string, string>
    {
        ["created"] = "创建账号", ["changed"] = "修改账号", ["disabled"] = "停用", ["enabled"] = "启用",
        ["password-reset"] = "管理员重置密码", ["password-changed"] = "本人修改密码",
    };

    public async Task LogPersonalDataViewAsync(long clueId, long userId, string purpose, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("INSERT INTO wageclue.pii_access_log (clue_id, user_id, at, purpose) VALUES (@clueId, @userId, @now, @purpose)",
            new { clueId, userId, now, purpose });
    }

    /// <summary>In the transaction of the change it records, so there is never a change without its entry.</summary>
    public static Task RecordUserChangeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long userId, long? actorId, string action, string details,
        DateTimeOffset now) =>
        conn.ExecuteAsync("""
            INSERT INTO wageclue.user_audit_log (at, actor_id, user_id, action, details) VALUES (@now, @actorId, @userId, @action, @details)
            """, new { now, actorId, userId, action, details }, tx);

    public async Task<(IReadOnlyList<PersonalDataViewRow> Items, long Total)> PersonalDataViewsAsync(DateTimeOffset from, DateTimeOffset to, int page, int pageSize)
    {
        await using var conn = await db.OpenConnectionAsync();
        var args = new { from = from.ToUniversalTime(), to = to.ToUniversalTime(), limit = pageSize, offset = (long)(page - 1) * pageSize };
        var total = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.pii_access_log WHERE at >= @from AND at < @to", args);
        var items = (await conn.QueryAsync<PersonalDataViewRow>("""
            SELECT l.id, l.at, u.username AS viewer, u.display_name AS viewer_name, c.tracking_code, c.district_id, l.purpose
            FROM wageclue.pii_access_log l
            JOIN wageclue.users u ON u.id = l.user_id
            JOIN wageclue.clues c ON c.id = l.clue_id
            WHERE l.at >= @from AND l.at < @to
            ORDER BY l.at DESC, l.id DESC LIMIT @limit OFFSET @offset
            """, args)).AsList();
        return (items, total);
    }

    public async Task<(IReadOnlyList<UserAuditRow> Items, long Total)> UserChangesAsync(DateTimeOffset from, DateTimeOffset to, int page, int pageSize)
    {
        await using var conn = await db.OpenConnectionAsync();
        var args = new { from = from.ToUniversalTime(), to = to.ToUniversalTime(), limit = pageSize, offset = (long)(page - 1) * pageSize };
        var total = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.user_audit_log WHERE at >= @from AND at < @to", args);
        var items = (await conn.QueryAsync<UserAuditRow>("""
            SELECT l.id, l.at, a.username AS actor, a.display_name AS actor_name, u.username AS target_username, u.display_name AS target_name, l.action, l.details
            FROM wageclue.user_audit_log l
            JOIN wageclue.users u ON u.id = l.user_id
            LEFT JOIN wageclue.users a ON a.id = l.actor_id
            WHERE l.at >= @from AND l.at < @to
            ORDER BY l.at DESC, l.id DESC LIMIT @limit OFFSET @offset
            """, args)).AsList();
        return (items, total);
    }
}
