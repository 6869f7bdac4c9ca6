using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// Server-side record of each browser session. The cookie carries the session id; a session ended at logout (or
/// expired) is refused on its next request, whatever copy of the cookie is presented.
/// </summary>
public sealed class Sessions(NpgsqlDataSource db)
{
    public const string Claim = "wageclue:sid";

    public async Task<Guid> StartAsync(long userId, DateTimeOffset now, TimeSpan lifetime)
    {
        var id = Guid.NewGuid();
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("INSERT INTO wageclue.sessions (id, user_id, created_at, expires_at, last_seen_at) VALUES (@id, @userId, @now, @expires, @now)",
            new { id, userId, now, expires = now + lifetime });
        return id;
    }

    /// <summary>The user's principal naming a new session: what a bearer token or the session cookie carries.</summary>
    public async Task<ClaimsPrincipal> StartPrincipalAsync(UserRow user, string scheme, DateTimeOffset now, TimeSpan lifetime)
    {
        var session = await StartAsync(user.Id, now, lifetime);
        var principal = CurrentUserMiddleware.Principal(user, scheme);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(Claim, session.ToString()));
        return principal;
    }

    /// <summary>Signs the browser in with a new session cookie (the login form, and after a password change).</summary>
    public async Task SignInBrowserAsync(HttpContext http, UserRow user, DateTimeOffset now, TimeSpan lifetime) =>
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            await StartPrincipalAsync(user, CookieAuthenticationDefaults.AuthenticationScheme, now, lifetime),
            new AuthenticationProperties { ExpiresUtc = now + lifetime, IsPersistent = false });

    /// <summary>
    /// Whether the session may go on. With <paramref name="idle"/> (browser sessions) one left without activity that
    /// long is ended; <paramref name="activity"/> false is a request the page made by itself (the dashboard's reload),
    /// which keeps nothing alive. The last activity is written at most once a minute, not on every request.
    /// </summary>
    public async Task<bool> IsActiveAsync(Guid id, long userId, DateTimeOffset now, TimeSpan? idle = null, bool activity = true)
    {
        await using var conn = await db.OpenConnectionAsync();
        var lastSeen = await conn.ExecuteScalarAsync<DateTime?>(
            "SELECT last_seen_at FROM wageclue.sessions WHERE id = @id AND user_id = @userId AND ended_at IS NULL AND expires_at > @now",
            new { id, userId, now });
        if (lastSeen is not { } seen) return false;
        var last = new DateTimeOffset(seen, TimeSpan.Zero);
        if (idle is { } limit && now - last > limit)
        {
            await conn.ExecuteAsync("UPDATE wageclue.sessions SET ended_at = @now WHERE id = @id AND ended_at IS NULL", new { id, now });
            return false;
        }
        if (activity && now - last >= TimeSpan.FromMinutes(1))
            await conn.ExecuteAsync("UPDATE wageclue.sessions SET last_seen_at = @now WHERE id = @id", new { id, now });
        return true;
    }

    public async Task EndAsync(Guid id, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE wageclue.sessions SET ended_at = @now WHERE id = @id AND ended_at IS NULL", new { id, now });
    }
}
