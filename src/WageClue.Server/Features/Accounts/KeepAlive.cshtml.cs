using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// 继续使用 on the idle warning (js/idle.js): a signed-in request, so CurrentUserMiddleware counts it as activity.
/// It changes nothing else, so a request from elsewhere can do no more than keep a session alive.
/// </summary>
public sealed class KeepAliveModel : PageModel
{
    public IActionResult OnGet() => new NoContentResult();
}
