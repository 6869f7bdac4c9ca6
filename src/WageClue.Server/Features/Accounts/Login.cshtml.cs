using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// Cookie login for the pages a browser opens (the Hangfire dashboard first). Razor Pages checks the antiforgery
/// token of every POST; the same per-address rate limit as the token endpoint applies.
/// </summary>
[EnableRateLimiting(AuthEndpoints.LoginRateLimit)]
public sealed class LoginModel(UserRepository users, Passwords passwords) : PageModel
{
    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Error { get; private set; }

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
        var user = await users.FindByUsernameAsync(Username);
        var result = passwords.Verify(user, Password);
        if (user == null || user.Disabled || result == PasswordVerificationResult.Failed)
        {
            Error = "用户名或密码错误"; // one answer for every failure: nothing to learn from it
            return Page();
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
            await users.UpgradePasswordHashAsync(user.Id, passwords.Hash(Password));
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            CurrentUserMiddleware.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme));
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
