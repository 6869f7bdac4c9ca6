using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Districts;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Admin;

/// <summary>Users: the list, a new user, and changes to one (role, districts, email, disabled, password reset).</summary>
[Authorize(Roles = Roles.Admin)]
public sealed class UsersModel(UserRepository users, UserAdmin admin, DistrictRepository districts, TimeProvider time) : AppPage
{
    [BindProperty] public string? Username { get; set; }
    [BindProperty] public string? DisplayName { get; set; }
    [BindProperty] public string? Email { get; set; }
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public string[] Districts { get; set; } = [];
    [BindProperty] public string? Password { get; set; }
    [BindProperty] public bool Disabled { get; set; }

    /// <summary>The user being edited (from the query), or null on the list.</summary>
    [BindProperty(SupportsGet = true)] public long? Edit { get; set; }

    public IReadOnlyList<UserRow> All { get; private set; } = [];
    public IReadOnlyList<DistrictResponse> AllDistricts { get; private set; } = [];
    public UserRow? Editing { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public DateTimeOffset Now => time.GetUtcNow();

    public async Task<IActionResult> OnGetAsync()
    {
        await LoadAsync();
        if (Edit != null && Editing == null) return NotFound();
        if (Editing != null)
            (DisplayName, Email, Role, Districts, Disabled) = (Editing.DisplayName, Editing.Email, Editing.Role, Editing.Districts, Editing.Disabled);
        return Page();
    }

    public async Task<IActionResult> OnPostCreateAsync()
    {
        Edit = null;
        var outcome = await admin.CreateAsync(new UserEndpoints.CreateUserRequest(Username?.Trim(), DisplayName, Email?.Trim(), Role, Districts, Password), Me);
        return await AfterAsync(outcome, $"已创建用户 {Username}");
    }

    public async Task<IActionResult> OnPostUpdateAsync()
    {
        if (Edit is not { } id) return NotFound();
        var outcome = await admin.UpdateAsync(id, new UserEndpoints.UpdateUserRequest(DisplayName, Email?.Trim() ?? "", Role, Districts, Disabled,
            string.IsNullOrEmpty(Password) ? null : Password), Me);
        return await AfterAsync(outcome, "已保存");
    }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    private async Task<IActionResult> AfterAsync(UserAdmin.Outcome outcome, string done)
    {
        switch (outcome)
        {
            case UserAdmin.Outcome.Done:
                Flash(done);
                return Redirect("/admin/users");
            case UserAdmin.Outcome.Invalid invalid:
                Errors = invalid.Errors;
                break;
            case UserAdmin.Outcome.UsernameTaken:
                Errors["username"] = ["该用户名已存在"];
                break;
            default:
                return NotFound();
        }
        Password = null;
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        All = await users.ListAsync();
        AllDistricts = await districts.ListAsync();
        Editing = Edit is { } id ? All.FirstOrDefault(u => u.Id == id) : null;
    }
}
