using WageClue.Server.Features.Districts;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Accounts;

public static class UserEndpoints
{
    public sealed record UserResponse(long Id, string Username, string DisplayName, string? Email, string Role, string RoleName,
        IReadOnlyList<DistrictResponse> Districts, bool Disabled, bool MustChangePassword);

    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

    public sealed record CreateUserRequest(string? Username, string? DisplayName, string? Email, string? Role, string[]? Districts, string? Password);

    /// <summary>Every member is optional; an empty email clears it; a password resets it. Changing role, districts,
    /// status or password ends the user's current sessions.</summary>
    public sealed record UpdateUserRequest(string? DisplayName, string? Email, string? Role, string[]? Districts, bool? Disabled, string? Password);

    public static void MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/users").WithTags("Users");
        group.MapGet("/me", GetMeAsync).RequireAuthorization()
            .WithSummary("The caller: role and districts as they are now.");
        group.MapPost("/me/password", ChangeOwnPasswordAsync).RequireAuthorization().Accepts<ChangePasswordRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem()
            .WithSummary("Change one's own password (the current one required). Ends every session and token of the user, the one used here too.");
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

    private static async Task<IResult> ChangeOwnPasswordAsync(HttpContext http, CurrentUser me, UserAdmin admin)
    {
        var (request, _, error) = await JsonBody.ReadAsync<ChangePasswordRequest>(http);
        if (error != null) return error;
        return await admin.ChangeOwnPasswordAsync(me, request!.CurrentPassword, request.NewPassword) switch
        {
            UserAdmin.Outcome.Invalid invalid => Problems.Invalid(invalid.Errors),
            UserAdmin.Outcome.Done => TypedResults.NoContent(),
            _ => Problems.NotFound(),
        };
    }

    private static async Task<IResult> ListAsync(UserRepository users, DistrictRepository districts)
    {
        var all = await districts.ListAsync();
        return TypedResults.Ok((await users.ListAsync()).Select(u => ToResponse(u, all)).ToList());
    }

    private static async Task<IResult> CreateAsync(HttpContext http, CurrentUser me, UserAdmin admin, UserRepository users, DistrictRepository districts)
    {
        var (request, _, error) = await JsonBody.ReadAsync<CreateUserRequest>(http);
        if (error != null) return error;
        return await admin.CreateAsync(request!, me) switch
        {
            UserAdmin.Outcome.Invalid invalid => Problems.Invalid(invalid.Errors),
            UserAdmin.Outcome.UsernameTaken => Problems.Conflict($"用户名 {request!.Username} 已存在"),
            UserAdmin.Outcome.Done done => TypedResults.Created($"/api/users/{done.Id}",
                ToResponse((await users.FindByIdAsync(done.Id))!, await districts.ListAsync())),
            var other => throw new InvalidOperationException($"Unhandled outcome {other}"),
        };
    }

    private static async Task<IResult> UpdateAsync(long id, HttpContext http, CurrentUser me, UserAdmin admin, UserRepository users, DistrictRepository districts)
    {
        var (request, _, error) = await JsonBody.ReadAsync<UpdateUserRequest>(http);
        if (error != null) return error;
        return await admin.UpdateAsync(id, request!, me) switch
        {
            UserAdmin.Outcome.Invalid invalid => Problems.Invalid(invalid.Errors),
            UserAdmin.Outcome.NotFound => Problems.NotFound("没有这个用户"),
            UserAdmin.Outcome.Done => TypedResults.Ok(ToResponse((await users.FindByIdAsync(id))!, await districts.ListAsync())),
            var other => throw new InvalidOperationException($"Unhandled outcome {other}"),
        };
    }

    internal static UserResponse ToResponse(UserRow row, IReadOnlyList<DistrictResponse> all) =>
        new(row.Id, row.Username, row.DisplayName, row.Email, row.Role, Roles.ChineseName(row.Role),
            all.Where(d => row.Districts.Contains(d.Id)).ToList(), row.Disabled, row.MustChangePassword);
}
