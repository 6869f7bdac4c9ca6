using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.Extensions.Options;
using WageClue.Server.Infrastructure;
using WageClue.Server.Infrastructure.Http;

namespace WageClue.Server.Features.Accounts;

public static class AuthEndpoints
{
    public sealed record TokenRequest(string? Username, string? Password);

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/token", IssueTokenAsync)
            .WithTags("Auth")
            .WithSummary("Exchange a username and password for a bearer token (API clients: the 12345 hotline, scripts).")
            .Accepts<TokenRequest>("application/json")
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AllowAnonymous();
        app.MapPost("/api/auth/logout", LogOutAsync)
            .WithTags("Auth")
            .WithSummary("End the bearer token presented: from now on it is refused, whatever copy of it is used.")
            .Produces(StatusCodes.Status204NoContent)
            .RequireAuthorization();
    }

    private static async Task<IResult> LogOutAsync(HttpContext http, Sessions sessions, TimeProvider time)
    {
        if (Guid.TryParse(http.User.FindFirst(Sessions.Claim)?.Value, out var session)) await sessions.EndAsync(session, time.GetUtcNow());
        return TypedResults.NoContent();
    }

    private static async Task<IResult> IssueTokenAsync(HttpContext http, LoginCheck logins, SharedRateLimits limits, Sessions sessions,
        TimeProvider time, IOptions<AuthOptions> options)
    {
        var verdict = await limits.TakeAsync(SharedRateLimits.Login, SharedRateLimits.AddressOf(http), options.Value.LoginAttemptsPerMinute);
        if (!verdict.Allowed) return SharedRateLimits.TooMany(http, verdict);
        var (request, _, error) = await JsonBody.ReadAsync<TokenRequest>(http);
        if (error != null) return error;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request!.Username)) errors["username"] = ["请填写用户名"];
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["请填写密码"];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var result = await logins.CheckAsync(request.Username!, request.Password!, SharedRateLimits.AddressOf(http));
        if (result is LoginResult.Throttled { Wait: var wait })
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Status(StatusCodes.Status429TooManyRequests, "登录失败", LoginCheck.ThrottledMessage(wait));
        }
        // One answer for unknown user, wrong password and disabled account: nothing to learn from it.
        if (result is not LoginResult.Success { User: var user })
            return Problems.Status(StatusCodes.Status401Unauthorized, "登录失败", LoginCheck.FailedMessage);
        // A token names a server-side session like the cookie does, so that logging out (or an expiry) ends it.
        var principal = await sessions.StartPrincipalAsync(user, BearerTokenDefaults.AuthenticationScheme, time.GetUtcNow(), options.Value.TokenLifetime);
        return TypedResults.SignIn(principal, authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }
}
