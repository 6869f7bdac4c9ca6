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
    public sealed record LockedOut : LoginResult;
}

/// <summary>
/// The one password check behind the token endpoint and the login page. After <see cref="AuthOptions.LockoutThreshold"/>
/// failures in a row the account is locked for <see cref="AuthOptions.LockoutDuration"/>: the per-address rate limit
/// stops one guesser, the lockout stops many guessing one account. A locked account answers the same for a right
/// and a wrong password, so the lock cannot be used to test passwords.
/// </summary>
public sealed class LoginCheck(NpgsqlDataSource db, UserRepository users, Passwords passwords, TimeProvider time, IOptions<AuthOptions> options)
{
    public async Task<LoginResult> CheckAsync(string username, string password)
    {
        var user = await users.FindByUsernameAsync(username);
        var now = time.GetUtcNow();
        if (user is { LockedUntil: { } until } && until > now)
        {
            passwords.Verify(null, password); // same time as a real check
            return new LoginResult.LockedOut();
        }
        var result = passwords.Verify(user, password);
        if (user == null || user.Disabled || result == PasswordVerificationResult.Failed)
        {
            if (user != null) await RecordFailureAsync(user.Id, now);
            return new LoginResult.Failed();
        }
        await using (var conn = await db.OpenConnectionAsync())
            await conn.ExecuteAsync("UPDATE wageclue.users SET failed_logins = 0, locked_until = NULL WHERE id = @Id", new { user.Id });
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            await users.UpgradePasswordHashAsync(user.Id, passwords.Hash(password));
        return new LoginResult.Success(user);
    }

    private async Task RecordFailureAsync(long id, DateTimeOffset now)
    {
        var o = options.Value;
        await using var conn = await db.OpenConnectionAsync();
        // One statement, so concurrent failures all count.
        await conn.ExecuteAsync("""
            UPDATE wageclue.users SET
                failed_logins = CASE WHEN failed_logins + 1 >= @LockoutThreshold THEN 0 ELSE failed_logins + 1 END,
                locked_until = CASE WHEN failed_logins + 1 >= @LockoutThreshold THEN @until ELSE locked_until END
            WHERE id = @id
            """, new { id, o.LockoutThreshold, until = now + o.LockoutDuration });
    }
}
