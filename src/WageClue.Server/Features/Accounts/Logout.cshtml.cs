using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WageClue.Server.Features.Accounts;

/// <summary>POST only (with its antiforgery token), so that a link or an image cannot log a user out.</summary>
public sealed class LogoutModel(Sessions sessions, TimeProvider time) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Accounts/Login");

    public async Task<IActionResult> OnPostAsync()
    {
        // Ending the session server-side is what makes logout real: a copied cookie is refused from now on.
        if (Guid.TryParse(User.FindFirst(Sessions.Claim)?.Value, out var session)) await sessions.EndAsync(session, time.GetUtcNow());
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return RedirectToPage("/Accounts/Login");
    }
}
