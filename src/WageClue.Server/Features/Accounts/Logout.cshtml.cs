using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WageClue.Server.Features.Accounts;

/// <summary>POST only (with its antiforgery token), so that a link or an image cannot log a user out.</summary>
public sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Accounts/Login");

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return RedirectToPage("/Accounts/Login");
    }
}
