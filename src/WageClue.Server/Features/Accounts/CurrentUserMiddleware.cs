using System.Globalization;
using System.Security.Claims;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// Runs after authentication: checks every authenticated request against the user's row, so that disabling a user,
/// changing their role or password ends their tokens at once, a session or token ended at logout is refused, and the
/// role claim is always the current one. Two indexed queries per request are the price.
/// </summary>
public sealed class CurrentUserMiddleware(RequestDelegate next)
{
    public const string StampClaim = "wageclue:stamp";

    /// <summary>Set by js/refresh.js before the dashboard reloads itself: that request is no activity of the user's.</summary>
    public const string AutoRefreshCookie = "wageclue.auto";

    public async Task InvokeAsync(HttpContext context, UserRepository users, Sessions sessions, TimeProvider time,
        Microsoft.Extensions.Options.IOptions<Infrastructure.AuthOptions> options)
    {
        if (context.User.Identity?.IsAuthenticated == true)
        {
            var row = long.TryParse(context.User.FindFirstValue(ClaimTypes.NameIdentifier), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                ? await users.FindByIdAsync(id)
                : null;
            var session = context.User.FindFirstValue(Sessions.Claim);
            // Cookies and bearer tokens alike name a server-side session, ended at logout; a browser's also ends when idle.
            var browser = context.User.Identity.AuthenticationType == Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme;
            var auto = browser && context.Request.Cookies.ContainsKey(AutoRefreshCookie);
            if (auto) context.Response.Cookies.Delete(AutoRefreshCookie);
            if (row == null || row.Disabled || row.SecurityStamp.ToString() != context.User.FindFirstValue(StampClaim)
                || !(Guid.TryParse(session, out var sid)
                    && await sessions.IsActiveAsync(sid, row.Id, time.GetUtcNow(), browser ? options.Value.IdleTimeout : null, activity: !auto)))
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity());
            }
            else
            {
                context.User = Principal(row, context.User.Identity.AuthenticationType);
                if (session != null) ((ClaimsIdentity)context.User.Identity!).AddClaim(new Claim(Sessions.Claim, session));
                CurrentUser.From(row).AttachTo(context);
            }
        }
        await next(context);
    }

    public static ClaimsPrincipal Principal(UserRow row, string? authenticationType) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, row.Id.ToString(CultureInfo.InvariantCulture)),
            new Claim(ClaimTypes.Name, row.Username),
            new Claim(ClaimTypes.Role, row.Role),
            new Claim(StampClaim, row.SecurityStamp.ToString()),
        ], authenticationType));
}
