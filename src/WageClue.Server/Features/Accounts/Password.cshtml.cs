using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WageClue.Server.Features.Shared;
using WageClue.Server.Infrastructure;

namespace WageClue.Server.Features.Accounts;

/// <summary>修改密码: the user's own, with the current one. The change ends every session, so this browser is signed in anew.</summary>
public sealed class PasswordModel(UserAdmin admin, UserRepository users, Sessions sessions, TimeProvider time, IOptions<AuthOptions> options) : AppPage
{
    [BindProperty(SupportsGet = true)] public bool Required { get; set; }

    public Dictionary<string, string[]> Errors { get; private set; } = new();

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    public void OnGet() => Required = Required || Me.MustChangePassword;

    public async Task<IActionResult> OnPostAsync(string? currentPassword, string? newPassword, string? confirm)
    {
        Required = Me.MustChangePassword;
        if (newPassword != confirm)
        {
            Errors["confirm"] = ["两次输入的新密码不一致"];
            return Page();
        }
        switch (await admin.ChangeOwnPasswordAsync(Me, currentPassword, newPassword))
        {
            case UserAdmin.Outcome.Invalid invalid:
                Errors = invalid.Errors;
                return Page();
            case UserAdmin.Outcome.Done:
                var row = (await users.FindByIdAsync(Me.Id))!;
                await sessions.SignInBrowserAsync(HttpContext, row, time.GetUtcNow(), options.Value.TokenLifetime);
                Flash("密码已修改。其他设备上的登录已失效。");
                return LocalRedirect("/");
            default:
                return NotFound();
        }
    }
}
