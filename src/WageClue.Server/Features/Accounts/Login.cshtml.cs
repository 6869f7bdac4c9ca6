using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using WageClue.Server.Infrastructure;
using WageClue.Workflows.Definitions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// Cookie login for the pages a browser opens (the Hangfire dashboard first). Razor Pages checks the antiforgery
/// token of every POST; the same per-address rate limit as the token endpoint applies.
/// </summary>
[EnableRateLimiting(AuthEndpoints.LoginRateLimit)]
public sealed class LoginModel(LoginCheck logins, Sessions sessions, TimeProvider time, IOptions<AuthOptions> options) : PageModel
{
    public const string LockedOutMessage = "登录失败次数过多，账户已暂时锁定，请15分钟后再试或联系系统管理员";

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

    /// <summary>Sent here by a form posted after the session ended (the typed input waits in the browser, js/drafts.js).</summary>
    [BindProperty(SupportsGet = true)]
    public bool Expired { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password))
        {
            Error = "请填写用户名和密码";
            return Page();
        }
        var result = await logins.CheckAsync(Username, Password);
        if (result is not LoginResult.Success { User: var user })
        {
            Error = result is LoginResult.LockedOut ? LockedOutMessage : "用户名或密码错误"; // one answer for every other failure
            return Page();
        }
        if (user.Role == Roles.Integration)
        {
            Error = "系统接口账号只能通过接口（API）使用，不能登录页面";
            return Page();
        }
        var lifetime = options.Value.TokenLifetime;
        var session = await sessions.StartAsync(user.Id, time.GetUtcNow(), lifetime);
        var principal = CurrentUserMiddleware.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme);
        ((System.Security.Claims.ClaimsIdentity)principal.Identity!).AddClaim(new System.Security.Claims.Claim(Sessions.Claim, session.ToString()));
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal,
            new AuthenticationProperties { ExpiresUtc = time.GetUtcNow() + lifetime, IsPersistent = false });
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
