using Microsoft.AspNetCore.Mvc.RazorPages;
using WageClue.Server.Features.Accounts;

namespace WageClue.Server.Features.Shared;

/// <summary>Base of the signed-in pages: the caller as the database says now (CurrentUserMiddleware).</summary>
public abstract class AppPage : PageModel
{
    public CurrentUser Me => CurrentUser.Of(HttpContext) ?? throw new InvalidOperationException("A signed-in page was reached without a user.");

    /// <summary>A message the layout shows once, on the page the browser is redirected to (post/redirect/get).</summary>
    protected void Flash(string message) => TempData["Flash"] = message;
}
