using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WageClue.Server.Features.Errors;

/// <summary>The page shown for 403, 404 and other status codes of pages (the API answers with problem details).</summary>
[Microsoft.AspNetCore.Mvc.IgnoreAntiforgeryToken] // re-executed for a failed form post, whose token was already judged
public sealed class StatusModel : PageModel
{
    public string Title { get; private set; } = "";
    public string Text { get; private set; } = "";

    public void OnGet(int code) => (Title, Text) = code switch
    {
        403 => ("无权访问", "您的账号没有访问该页面的权限。"),
        404 => ("未找到", "没有这个页面，或您无权查看该线索。"),
        _ => ("出错了", "请求未能完成，请稍后再试。"),
    };

    public void OnPost(int code) => OnGet(code);
}
