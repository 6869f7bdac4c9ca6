using System.Net.Mail;
using System.Text.RegularExpressions;
using WageClue.Server.Features.Districts;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Accounts;

public static partial class UserEndpoints
{
    public sealed record UserResponse(long Id, string Username, string DisplayName, string? Email, string Role, string RoleName,
        IReadOnlyList<DistrictResponse> Districts, bool Disabled);

    public sealed record CreateUserRequest(string? Username, string? DisplayName, string? Email, string? Role, string[]? Districts, string? Password);

    /// <summary>Every member is optional; an empty email clears it; a password resets it. Changing role, districts,
    /// status or password ends the user's current sessions.</summary>
    public sealed record UpdateUserRequest(string? DisplayName, string? Email, string? Role, string[]? Districts, bool? Disabled, string? Password);

    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users");
        group.MapGet("/me", GetMeAsync).RequireAuthorization()
            .WithSummary("The caller: role and districts as they are now.");
        var admin = group.MapGroup("").RequireAuthorization(p => p.RequireRole(Roles.Admin));
        admin.MapGet("/", ListAsync).WithSummary("All users (admin).");
        admin.MapPost("/", CreateAsync).Accepts<CreateUserRequest>("application/json")
            .Produces<UserResponse>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Create a user (admin).");
        admin.MapPut("/{id:long}", UpdateAsync).Accepts<UpdateUserRequest>("application/json")
            .Produces<UserResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Change role, districts, email, display name; disable; reset the password (admin).");
    }

    private static async Task<IResult> GetMeAsync(CurrentUser me, UserRepository users, DistrictRepository districts)
    {
        var row = await users.FindByIdAsync(me.Id);
        return row == null ? Problems.NotFound() : TypedResults.Ok(ToResponse(row, await districts.ListAsync()));
    }

    private static async Task<IResult> ListAsync(UserRepository users, DistrictRepository districts)
    {
        var all = await districts.ListAsync();
        return TypedResults.Ok((await users.ListAsync()).Select(u => ToResponse(u, all)).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext http, UserRepository users, DistrictRepository districts, Passwords passwords, TimeProvider time)
    {
        var (request, _, error) = await JsonBody.ReadAsync<CreateUserRequest>(http);
        if (error != null) return error;

        var errors = new Dictionary<string, string[]>();
        if (request!.Username == null || !UsernamePattern().IsMatch(request.Username))
            errors["username"] = ["用户名须为 3-32 位小写字母、数字、点、下划线或连字符"];
        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Length > 50) errors["displayName"] = ["请填写姓名（不超过 50 字）"];
        if (request.Role == null || !Roles.All.Contains(request.Role)) errors["role"] = [$"角色须为 {string.Join("、", Roles.All)} 之一"];
        if (Passwords.Problem(request.Password) is { } pw) errors["password"] = [pw];
        CheckEmail(request.Email, errors);
        await CheckDistrictsAsync(request.Districts ?? [], request.Role, districts, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var id = await users.CreateAsync(new NewUser(request.Username!, request.DisplayName!.Trim(), NullIfEmpty(request.Email), request.Role!,
            request.Districts ?? [], passwords.Hash(request.Password!)), time.GetUtcNow());
        if (id == null) return Problems.Conflict($"用户名 {request.Username} 已存在");
        var row = await users.FindByIdAsync(id.Value);
        return TypedResults.Created($"/api/users/{id}", ToResponse(row!, await districts.ListAsync()));
    }

    private static async Task<IResult> UpdateAsync(long id, HttpContext http, CurrentUser me, UserRepository users, DistrictRepository districts, Passwords passwords, TimeProvider time)
    {
        var (request, _, error) = await JsonBody.ReadAsync<UpdateUserRequest>(http);
        if (error != null) return error;
        var existing = await users.FindByIdAsync(id);
        if (existing == null) return Problems.NotFound("没有这个用户");

        var errors = new Dictionary<string, string[]>();
        if (request!.DisplayName != null && (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Length > 50)) errors["displayName"] = ["姓名不能为空，且不超过 50 字"];
        if (request.Role != null && !Roles.All.Contains(request.Role)) errors["role"] = [$"角色须为 {string.Join("、", Roles.All)} 之一"];
        if (request.Password != null && Passwords.Problem(request.Password) is { } pw) errors["password"] = [pw];
        CheckEmail(request.Email, errors);
        if (request.Districts != null || request.Role != null)
            await CheckDistrictsAsync(request.Districts ?? existing.Districts, request.Role ?? existing.Role, districts, errors);
        // An administrator who demotes or disables themselves could leave nobody able to undo it.
        if (id == me.Id && (request.Disabled == true || (request.Role != null && request.Role != Roles.Admin)))
            errors[request.Disabled == true ? "disabled" : "role"] = ["不能停用自己的账号或取消自己的管理员角色"];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var changes = new UserChanges(request.DisplayName?.Trim(), NullIfEmpty(request.Email), request.Email == "", request.Role,
            request.Districts, request.Disabled, request.Password == null ? null : passwords.Hash(request.Password));
        await users.UpdateAsync(id, changes, time.GetUtcNow());
        return TypedResults.Ok(ToResponse((await users.FindByIdAsync(id))!, await districts.ListAsync()));
    }

    private static void CheckEmail(string? email, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(email)) return;
        if (email.Length > 254 || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            errors["email"] = ["邮箱地址格式不正确"];
    }

    private static async Task CheckDistrictsAsync(IReadOnlyList<string> ids, string? role, DistrictRepository districts, Dictionary<string, string[]> errors)
    {
        var known = (await districts.ListAsync()).Select(d => d.Id).ToHashSet();
        var unknown = ids.Where(i => !known.Contains(i)).ToList();
        if (unknown.Count > 0) errors["districts"] = [$"没有这些区县：{string.Join("、", unknown)}"];
        else if (role is Roles.Caseworker or Roles.Supervisor && ids.Count == 0) errors["districts"] = ["经办人和科室负责人至少属于一个区县"];
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    internal static UserResponse ToResponse(UserRow row, IReadOnlyList<DistrictResponse> all) =>
        new(row.Id, row.Username, row.DisplayName, row.Email, row.Role, Roles.ChineseName(row.Role),
            all.Where(d => row.Districts.Contains(d.Id)).ToList(), row.Disabled);

    [GeneratedRegex("^[a-z0-9._-]{3,32}$")]
    private static partial Regex UsernamePattern();
}
