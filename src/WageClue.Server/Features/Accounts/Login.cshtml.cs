using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using WageClue.Server.Infrastructure;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// Cookie login for the pages a browser opens. Razor Pages checks the antiforgery token of every POST; each posted
/// attempt (not each view of the form) counts against the same per-address limit as the token endpoint.
/// </summary>
public sealed class LoginModel(LoginCheck logins, Sessions sessions, SharedRateLimits limits, TimeProvider time, IOptions<AuthOptions> options) : PageModel
{
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

    /// <summary>Sent here by js/idle.js when the session ended for want of activity.</summary>
    [BindProperty(SupportsGet = true)]
    public bool Idle { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var verdict = await limits.TakeAsync(SharedRateLimits.Login, SharedRateLimits.AddressOf(HttpContext), options.Value.LoginAttemptsPerMinute);
        if (!verdict.Allowed)
        {
            SharedRateLimits.SetRetryAfter(HttpContext, verdict);
            Error = "登录请求过于频繁，请一分钟后再试";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            return Page();
        }
        if (string.IsNullOrWhiteSpace(Username) || string.IsNullOrEmpty(Password))
        {
            Error = "请填写用户名和密码";
            return Page();
        }
        var result = await logins.CheckAsync(Username, Password, SharedRateLimits.AddressOf(HttpContext));
        if (result is not LoginResult.Success { User: var user })
        {
            // One answer for an unknown name, a wrong password and a disabled account; the wait is the same for all.
            Error = result is LoginResult.Throttled { Wait: var wait } ? LoginCheck.ThrottledMessage(wait) : LoginCheck.FailedMessage;
            return Page();
        }
        if (user.Role == Roles.Integration)
        {
            Error = "系统接口账号只能通过接口（API）使用，不能登录页面";
            return Page();
        }
        await sessions.SignInBrowserAsync(HttpContext, user, time.GetUtcNow(), options.Value.TokenLifetime);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
