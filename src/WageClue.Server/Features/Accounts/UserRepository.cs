using WageClue.Server.Features.Access;
using WageClue.Workflows.Definitions;
using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Accounts;

public sealed class UserRow
{
    public long Id { get; init; }
    public string Username { get; init; } = "";
    public string DisplayName { get; init; } = "";
    public string? Email { get; init; }
    public string Role { get; init; } = "";
    public string PasswordHash { get; init; } = "";
    public bool Disabled { get; init; }
    public Guid SecurityStamp { get; init; }
    public bool MustChangePassword { get; init; }
    public string[] Districts { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}

public sealed record NewUser(string Username, string DisplayName, string? Email, string Role, IReadOnlyList<string> Districts, string PasswordHash);

/// <summary>Null members are left as they are. A new security stamp ends every token the user holds.</summary>
/// <param name="MustChangePassword">With a new password: true when an administrator set it, false when the user chose it.</param>
public sealed record UserChanges(string? DisplayName, string? Email, bool ClearEmail, string? Role, IReadOnlyList<string>? Districts, bool? Disabled,
    string? PasswordHash, bool? MustChangePassword = null)
{
    public bool EndsSessions => Role != null || Disabled != null || PasswordHash != null || Districts != null;
}

public sealed class UserRepository(NpgsqlDataSource db)
{
    private const string SelectUser = """
        SELECT u.id, u.username, u.display_name, u.email, u.role, u.password_hash, u.disabled, u.security_stamp, u.must_change_password,
               u.created_at, u.updated_at,
               coalesce(array_agg(d.district_id ORDER BY d.district_id) FILTER (WHERE d.district_id IS NOT NULL), '{}') AS districts
        FROM wageclue.users u
        LEFT JOIN wageclue.user_districts d ON d.user_id = u.id
        """;

    public async Task<UserRow?> FindByIdAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<UserRow>($"{SelectUser} WHERE u.id = @id GROUP BY u.id", new { id });
    }

    public async Task<UserRow?> FindByUsernameAsync(string username)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<UserRow>($"{SelectUser} WHERE lower(u.username) = lower(@username) GROUP BY u.id", new { username });
    }

    public async Task<IReadOnlyList<UserRow>> ListAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<UserRow>($"{SelectUser} GROUP BY u.id ORDER BY u.id")).AsList();
    }

    /// <summary>Everyone who may hold clues of the district, for assignment lists.</summary>
    public async Task<IReadOnlyList<UserRow>> AssignableAsync(string districtId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<UserRow>($"""
            {SelectUser}
            WHERE NOT u.disabled AND u.role IN {AccessPolicy.HoldingRolesSql}
              AND EXISTS (SELECT 1 FROM wageclue.user_districts x WHERE x.user_id = u.id AND x.district_id = @districtId)
            GROUP BY u.id ORDER BY u.role, u.display_name
            """, new { districtId })).AsList();
    }

    /// <summary>The users who may hold clues of a district: enabled caseworkers and supervisors of it.</summary>
    public async Task<bool> CanBeAssignedAsync(long userId, string districtId)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<bool>($"""
            SELECT EXISTS (
                SELECT 1 FROM wageclue.users u JOIN wageclue.user_districts d ON d.user_id = u.id
                WHERE u.id = @userId AND d.district_id = @districtId AND NOT u.disabled AND u.role IN {AccessPolicy.HoldingRolesSql})
            """, new { userId, districtId });
    }

    /// <returns>The new user's id, or null when the username is taken (a unique index decides, so two racing creates cannot both win).</returns>
    public async Task<long?> CreateAsync(NewUser user, DateTimeOffset now, long? actorId = null)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var id = await conn.ExecuteScalarAsync<long?>("""
            INSERT INTO wageclue.users (username, display_name, email, role, password_hash, security_stamp, created_at, updated_at)
            VALUES (@Username, @DisplayName, @Email, @Role, @PasswordHash, gen_random_uuid(), @now, @now)
            ON CONFLICT ((lower(username))) DO NOTHING
            RETURNING id
            """, new { user.Username, user.DisplayName, user.Email, user.Role, user.PasswordHash, now }, tx);
        if (id == null) return null;
        await SetDistrictsAsync(conn, tx, id.Value, user.Districts);
        await Audit.AuditLog.RecordUserChangeAsync(conn, tx, id.Value, actorId, "created",
            $"角色：{Roles.ChineseName(user.Role)}；区县：{(user.Districts.Count == 0 ? "无" : string.Join("、", user.Districts))}", now);
        await tx.CommitAsync();
        return id;
    }

    /// <returns>False when there is no such user.</returns>
    public async Task<bool> UpdateAsync(long id, UserChanges changes, DateTimeOffset now, long? actorId = null)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        var before = await conn.QuerySingleOrDefaultAsync<UserRow>($"{SelectUser} WHERE u.id = @id GROUP BY u.id", new { id }, tx);
        if (before == null) return false;
        var rows = await conn.ExecuteAsync("""
            UPDATE wageclue.users SET
                display_name = coalesce(@DisplayName, display_name),
                email = CASE WHEN @ClearEmail THEN NULL ELSE coalesce(@Email, email) END,
                role = coalesce(@Role, role),
                disabled = coalesce(@Disabled, disabled),
                password_hash = coalesce(@PasswordHash, password_hash),
                must_change_password = coalesce(@MustChangePassword, must_change_password),
                security_stamp = CASE WHEN @EndsSessions THEN gen_random_uuid() ELSE security_stamp END,
                updated_at = @now
            WHERE id = @id
            """, new { id, changes.DisplayName, changes.Email, changes.ClearEmail, changes.Role, changes.Disabled, changes.PasswordHash, changes.MustChangePassword, changes.EndsSessions, now }, tx);
        if (rows == 0) return false;
        if (changes.Districts != null)
        {
            await conn.ExecuteAsync("DELETE FROM wageclue.user_districts WHERE user_id = @id", new { id }, tx);
            await SetDistrictsAsync(conn, tx, id, changes.Districts);
        }
        foreach (var (action, details) in AuditEntries(before, changes))
            await Audit.AuditLog.RecordUserChangeAsync(conn, tx, id, actorId, action, details, now);
        await tx.CommitAsync();
        return true;
    }

    /// <summary>What the audit says about a change: each kind of change its own entry, values in words, never a password.</summary>
    private static IEnumerable<(string Action, string Details)> AuditEntries(UserRow before, UserChanges c)
    {
        var changed = new List<string>();
        if (c.Role != null && c.Role != before.Role) changed.Add($"角色：{Roles.ChineseName(before.Role)} → {Roles.ChineseName(c.Role)}");
        if (c.Districts != null && !c.Districts.Order().SequenceEqual(before.Districts.Order()))
            changed.Add($"区县：{(before.Districts.Length == 0 ? "无" : string.Join("、", before.Districts))} → {(c.Districts.Count == 0 ? "无" : string.Join("、", c.Districts))}");
        if (c.DisplayName != null && c.DisplayName != before.DisplayName) changed.Add($"姓名：{before.DisplayName} → {c.DisplayName}");
        if ((c.ClearEmail && before.Email != null) || (c.Email != null && c.Email != before.Email)) changed.Add($"邮箱：{before.Email ?? "无"} → {c.Email ?? "无"}");
        if (changed.Count > 0) yield return ("changed", string.Join("；", changed));
        if (c.Disabled is { } disabled && disabled != before.Disabled) yield return (disabled ? "disabled" : "enabled", "");
        if (c.PasswordHash != null) yield return (c.MustChangePassword == false ? "password-changed" : "password-reset", "");
    }

    /// <summary>Re-hashes a password whose hash was made with older settings (after a successful login).</summary>
    public async Task UpgradePasswordHashAsync(long id, string hash)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE wageclue.users SET password_hash = @hash WHERE id = @id", new { id, hash });
    }

    private static Task SetDistrictsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, IReadOnlyList<string> districts) =>
        conn.ExecuteAsync("""
            INSERT INTO wageclue.user_districts (user_id, district_id) SELECT @id, unnest(@districts)
            """, new { id, districts = districts.ToArray() }, tx);
}
