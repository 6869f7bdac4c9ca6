using System.Globalization;
using Dapper;
using Npgsql;

namespace WageClue.Server.Infrastructure.Http;

/// <summary>
/// Per-address limits counted in PostgreSQL, in fixed one-minute windows, so that two nodes behind the proxy share
/// one limit instead of each adding its own. Only what is limited is counted: a login attempt, not a view of the
/// login form; a progress lookup, not the empty form.
/// </summary>
public sealed class SharedRateLimits(NpgsqlDataSource db, TimeProvider time)
{
    public const string Login = "login";
    public const string Tracking = "tracking";

    public sealed record Verdict(bool Allowed, TimeSpan RetryAfter);

    /// <summary>The client's address as the forwarded headers middleware resolved it (trusted proxies only).</summary>
    public static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public async Task<Verdict> TakeAsync(string bucket, string key, int perMinute)
    {
        var now = time.GetUtcNow();
        var window = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        await using var conn = await db.OpenConnectionAsync();
        // One statement: concurrent requests on any node each get their own count.
        var hits = await conn.ExecuteScalarAsync<int>("""
            INSERT INTO wageclue.rate_limit_windows (bucket, key, window_start, hits) VALUES (@bucket, @key, @window, 1)
            ON CONFLICT (bucket, key, window_start) DO UPDATE SET hits = rate_limit_windows.hits + 1
            RETURNING hits
            """, new { bucket, key, window });
        // The first hit of a window clears windows that have ended, so the table holds about a minute of traffic.
        if (hits == 1)
            await conn.ExecuteAsync("DELETE FROM wageclue.rate_limit_windows WHERE window_start < @expired", new { expired = window.AddMinutes(-1) });
        return new Verdict(hits <= perMinute, window.AddMinutes(1) - now);
    }

    /// <summary>The 429 the API answers, with Retry-After in whole seconds.</summary>
    public static IResult TooMany(HttpContext http, Verdict verdict)
    {
        SetRetryAfter(http, verdict);
        return Problems.Status(StatusCodes.Status429TooManyRequests, "请求过于频繁", "请求过于频繁，请一分钟后再试");
    }

    public static void SetRetryAfter(HttpContext http, Verdict verdict) =>
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(verdict.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
