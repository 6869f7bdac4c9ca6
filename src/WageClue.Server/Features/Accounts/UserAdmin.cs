using WageClue.Workflows.Validation;
using System.Net.Mail;
using System.Text.RegularExpressions;
using WageClue.Server.Features.Districts;
using WageClue.Workflows.Definitions;
using static WageClue.Server.Features.Accounts.UserEndpoints;

namespace WageClue.Server.Features.Accounts;

/// <summary>Creating and changing users, with the checks, for the API and the administration pages alike.</summary>
public sealed partial class UserAdmin(UserRepository users, DistrictRepository districts, Passwords passwords, LoginCheck logins, TimeProvider time)
{
    public abstract record Outcome
    {
        public sealed record Done(long Id) : Outcome;
        public sealed record Invalid(Dictionary<string, string[]> Errors) : Outcome;
        public sealed record UsernameTaken : Outcome;
        public sealed record NotFound : Outcome;
    }

    public async Task<Outcome> CreateAsync(CreateUserRequest request, CurrentUser by)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Username == null || !UsernamePattern().IsMatch(request.Username))
            errors["username"] = ["用户名须为 3-32 位小写字母、数字、点、下划线或连字符"];
        if (string.IsNullOrWhiteSpace(request.DisplayName)) errors["displayName"] = ["请填写姓名"];
        else if (TextRules.Check(request.DisplayName, "姓名", 50).Problem is { } name) errors["displayName"] = [name];
        if (request.Role == null || !Roles.All.Contains(request.Role)) errors["role"] = [$"角色须为 {string.Join("、", Roles.All)} 之一"];
        if (PasswordRules.Problem(request.Password, request.Username) is { } pw) errors["password"] = [pw];
        CheckEmail(request.Email, errors);
        await CheckDistrictsAsync(request.Districts ?? [], request.Role, errors);
        if (errors.Count > 0) return new Outcome.Invalid(errors);

        var id = await users.CreateAsync(new NewUser(request.Username!, request.DisplayName!.Trim(), NullIfEmpty(request.Email), request.Role!,
            request.Districts ?? [], passwords.Hash(request.Password!)), time.GetUtcNow(), by.Id);
        return id == null ? new Outcome.UsernameTaken() : new Outcome.Done(id.Value);
    }

    public async Task<Outcome> UpdateAsync(long id, UpdateUserRequest request, CurrentUser me)
    {
        var existing = await users.FindByIdAsync(id);
        if (existing == null) return new Outcome.NotFound();

        var errors = new Dictionary<string, string[]>();
        if (request.DisplayName != null && string.IsNullOrWhiteSpace(request.DisplayName)) errors["displayName"] = ["姓名不能为空"];
        else if (request.DisplayName != null && TextRules.Check(request.DisplayName, "姓名", 50).Problem is { } name) errors["displayName"] = [name];
        if (request.Role != null && !Roles.All.Contains(request.Role)) errors["role"] = [$"角色须为 {string.Join("、", Roles.All)} 之一"];
        if (request.Password != null && PasswordRules.Problem(request.Password, existing.Username) is { } pw) errors["password"] = [pw];
        CheckEmail(request.Email, errors);
        if (request.Districts != null || request.Role != null)
            await CheckDistrictsAsync(request.Districts ?? existing.Districts, request.Role ?? existing.Role, errors);
        // An administrator who demotes or disables themselves could leave nobody able to undo it.
        if (id == me.Id && (request.Disabled == true || (request.Role != null && request.Role != Roles.Admin)))
            errors[request.Disabled == true ? "disabled" : "role"] = ["不能停用自己的账号或取消自己的管理员角色"];
        if (errors.Count > 0) return new Outcome.Invalid(errors);

        var changes = new UserChanges(request.DisplayName?.Trim(), NullIfEmpty(request.Email), request.Email == "", request.Role,
            request.Districts, request.Disabled, request.Password == null ? null : passwords.Hash(request.Password),
            MustChangePassword: request.Password == null ? null : true); // the administrator knows it: the user must choose their own
        await users.UpdateAsync(id, changes, time.GetUtcNow(), me.Id);
        if (request.Password != null) await logins.ClearAsync(existing.Username); // a reset lifts the waits of wrong guesses
        return new Outcome.Done(id);
    }

    /// <summary>
    /// A user chooses their own password: the current one proves it is them (a session left open is not enough). The
    /// change ends every session and token of the user, this one too: the page signs the browser in again.
    /// </summary>
    public async Task<Outcome> ChangeOwnPasswordAsync(CurrentUser me, string? currentPassword, string? newPassword)
    {
        var row = await users.FindByIdAsync(me.Id);
        if (row == null) return new Outcome.NotFound();
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(currentPassword) || passwords.Verify(row, currentPassword) == Microsoft.AspNetCore.Identity.PasswordVerificationResult.Failed)
            errors["currentPassword"] = ["当前密码不正确"];
        else if (newPassword == currentPassword) errors["newPassword"] = ["新密码不能与当前密码相同"];
        else if (PasswordRules.Problem(newPassword, row.Username) is { } problem) errors["newPassword"] = [problem];
        if (errors.Count > 0) return new Outcome.Invalid(errors);
        await users.UpdateAsync(me.Id, new UserChanges(null, null, false, null, null, null, passwords.Hash(newPassword!), MustChangePassword: false),
            time.GetUtcNow(), me.Id);
        return new Outcome.Done(me.Id);
    }

    private static void CheckEmail(string? email, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(email)) return;
        if (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            errors["email"] = ["邮箱地址格式不正确"];
    }

    private async Task CheckDistrictsAsync(IReadOnlyList<string> ids, string? role, Dictionary<string, string[]> errors)
    {
        var known = (await districts.ListAsync()).Select(d => d.Id).ToHashSet();
        var unknown = ids.Where(i => !known.Contains(i)).ToList();
        if (unknown.Count > 0) errors["districts"] = [$"没有这些区县：{string.Join("、", unknown)}"];
        else if (role is Roles.Caseworker or Roles.Supervisor && ids.Count == 0) errors["districts"] = ["经办人和科室负责人至少属于一个区县"];
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    [GeneratedRegex("^[a-z0-9._-]{3,32}$")]
    private static partial Regex UsernamePattern();
}
