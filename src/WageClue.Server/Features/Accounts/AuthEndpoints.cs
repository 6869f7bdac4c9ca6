using Microsoft.AspNetCore.Authentication.BearerToken;
using WageClue.Server.Infrastructure.Http;

namespace WageClue.Server.Features.Accounts;

public static class AuthEndpoints
{
    public const string LoginRateLimit = "login";

    public sealed record TokenRequest(string? Username, string? Password);

    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/token", IssueTokenAsync)
            .WithTags("Auth")
            .WithSummary("Exchange a username and password for a bearer token (API clients: the 12345 hotline, scripts).")
            .Accepts<TokenRequest>("application/json")
            .Produces<AccessTokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireRateLimiting(LoginRateLimit)
            .AllowAnonymous();
    }

    private static async Task<IResult> IssueTokenAsync(HttpContext http, LoginCheck logins)
    {
        var (request, _, error) = await JsonBody.ReadAsync<TokenRequest>(http);
        if (error != null) return error;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request!.Username)) errors["username"] = ["请填写用户名"];
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["请填写密码"];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var result = await logins.CheckAsync(request.Username!, request.Password!);
        if (result is LoginResult.LockedOut)
            return Problems.Status(StatusCodes.Status401Unauthorized, "登录失败", LoginModel.LockedOutMessage);
        // One answer for unknown user, wrong password and disabled account: nothing to learn from it.
        if (result is not LoginResult.Success { User: var user })
            return Problems.Status(StatusCodes.Status401Unauthorized, "登录失败", "用户名或密码错误");
        return TypedResults.SignIn(CurrentUserMiddleware.Principal(user, BearerTokenDefaults.AuthenticationScheme),
            authenticationScheme: BearerTokenDefaults.AuthenticationScheme);
    }
}
