using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Infrastructure;

namespace WageClue.Server.Features.Accounts;

public abstract record LoginResult
{
    public sealed record Success(UserRow User) : LoginResult;
    public sealed record Failed : LoginResult;

    /// <summary>Too many failures for this name from this address: wait, whatever the password.</summary>
    public sealed record Throttled(TimeSpan Wait) : LoginResult;
}

/// <summary>
/// The one password check behind the token endpoint and the login page, with the throttle against guessing
/// (OWASP ASVS 5.0 V6): failures are counted per (username as typed, client address), for a name that exists and one
/// that does not alike, so the answers never tell which names exist. After <see cref="AuthOptions.FailuresBeforeDelay"/>
/// failures the pair waits <see cref="AuthOptions.FirstDelay"/>, doubling with each further failure up to
/// <see cref="AuthOptions.LongestDelay"/>; a success clears it. A stranger guessing from elsewhere slows only
/// themselves: the real user, from their own address, logs in as usual. Guessing one account from many addresses is
/// bounded by the per-address attempt limit (SharedRateLimits) and the cost of PBKDF2 at 210 000 iterations.
/// </summary>
public sealed class LoginCheck(NpgsqlDataSource db, UserRepository users, Passwords passwords, TimeProvider time, IOptions<AuthOptions> options)
{
    public const string FailedMessage = "用户名或密码错误";

    public static string ThrottledMessage(TimeSpan wait) =>
        $"登录失败次数过多，请 {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} 分钟后再试";

    public async Task<LoginResult> CheckAsync(string username, string password, string address)
    {
        var name = username.Trim().ToLowerInvariant();
        var now = time.GetUtcNow();
        // No connection is held across the password check: PBKDF2 at 210 000 iterations takes a tenth of a second,
        // and a burst of logins must not take the pool with it.
        DateTime? blocked;
        await using (var conn = await db.OpenConnectionAsync())
            // Npgsql reads timestamptz as a UTC DateTime, which Dapper's scalar path cannot make a DateTimeOffset.
            blocked = await conn.ExecuteScalarAsync<DateTime?>(
                "SELECT blocked_until FROM wageclue.login_failures WHERE username = @name AND address = @address", new { name, address });
        if (blocked is { } until && new DateTimeOffset(until, TimeSpan.Zero) > now)
        {
            passwords.Verify(null, password); // the same time as a real check
            return new LoginResult.Throttled(new DateTimeOffset(until, TimeSpan.Zero) - now);
        }

        var user = await users.FindByUsernameAsync(name);
        var result = passwords.Verify(user, password);
        if (user == null || user.Disabled || result == PasswordVerificationResult.Failed)
        {
            await RecordFailureAsync(name, address, now);
            return new LoginResult.Failed();
        }
        await using (var conn = await db.OpenConnectionAsync())
            await conn.ExecuteAsync("DELETE FROM wageclue.login_failures WHERE username = @name AND address = @address", new { name, address });
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            await users.UpgradePasswordHashAsync(user.Id, passwords.Hash(password));
        return new LoginResult.Success(user);
    }

    /// <summary>An administrator's password reset lifts every wait on the name.</summary>
    public async Task ClearAsync(string username)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("DELETE FROM wageclue.login_failures WHERE username = @username", new { username });
    }

    private async Task RecordFailureAsync(string name, string address, DateTimeOffset now)
    {
        var o = options.Value;
        await using var conn = await db.OpenConnectionAsync();
        // One statement, so concurrent failures all count. A pair quiet for a day starts again from zero.
        var failures = await conn.ExecuteScalarAsync<int>("""
            INSERT INTO wageclue.login_failures AS f (username, address, failures, last_failed_at) VALUES (@name, @address, 1, @now)
            ON CONFLICT (username, address) DO UPDATE SET
                failures = CASE WHEN f.last_failed_at < @forgetBefore THEN 1 ELSE f.failures + 1 END,
                last_failed_at = @now
            RETURNING failures
            """, new { name, address, now, forgetBefore = now - o.ForgetFailuresAfter });
        if (failures < o.FailuresBeforeDelay) return;
        var doublings = Math.Min(failures - o.FailuresBeforeDelay, 16);
        var wait = TimeSpan.FromTicks(Math.Min(o.LongestDelay.Ticks, o.FirstDelay.Ticks << doublings));
        await conn.ExecuteAsync("UPDATE wageclue.login_failures SET blocked_until = @until WHERE username = @name AND address = @address",
            new { name, address, until = now + wait });
        // Old pairs are forgotten as new ones come (the index on last_failed_at keeps this cheap).
        if (failures == o.FailuresBeforeDelay)
            await conn.ExecuteAsync("DELETE FROM wageclue.login_failures WHERE last_failed_at < @forgetBefore", new { forgetBefore = now - o.ForgetFailuresAfter });
    }
}
