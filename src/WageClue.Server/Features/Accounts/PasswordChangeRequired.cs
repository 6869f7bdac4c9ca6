using WageClue.Server.Infrastructure.Http;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// After an administrator reset a password (they know it), the user may do nothing but choose their own: pages send
/// them to 修改密码, the API answers 403 naming the way out. Logging out and reading who one is stay open.
/// </summary>
public sealed class PasswordChangeRequiredMiddleware(RequestDelegate next)
{
    public const string PagePath = "/account/password";

    private static readonly string[] Open = [PagePath, "/logout", "/login", "/error", "/api/users/me", "/api/auth/logout"];

    public Task InvokeAsync(HttpContext context)
    {
        if (CurrentUser.Of(context) is not { MustChangePassword: true } || Open.Any(p => context.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase))
            || context.Request.Path.StartsWithSegments("/api/users/me/password"))
            return next(context);
        if (context.Request.Path.StartsWithSegments("/api"))
            return Problems.Status(StatusCodes.Status403Forbidden, "须先修改密码",
                "管理员重置了您的密码，请先修改密码（POST /api/users/me/password）后再使用").ExecuteAsync(context);
        context.Response.Redirect($"{PagePath}?required=true");
        return Task.CompletedTask;
    }
}
