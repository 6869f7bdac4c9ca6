using System.Reflection;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Accounts;

/// <summary>
/// The caller, as the database says now (role, districts), not as the token said when it was issued. Endpoints
/// take it as a parameter; minimal APIs bind it through <see cref="BindAsync"/>.
/// </summary>
public sealed record CurrentUser(long Id, string Username, string DisplayName, string? Email, string Role, IReadOnlyList<string> Districts,
    bool MustChangePassword = false)
{
    private const string ItemKey = "wageclue.current-user";

    public static CurrentUser From(UserRow row) => new(row.Id, row.Username, row.DisplayName, row.Email, row.Role, row.Districts, row.MustChangePassword);

    public bool IsIn(string districtId) => Districts.Contains(districtId);

    internal void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>The caller of a page (null before login).</summary>
    public static CurrentUser? Of(HttpContext context) => context.Items[ItemKey] as CurrentUser;

    public static ValueTask<CurrentUser?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult(context.Items[ItemKey] as CurrentUser);
}
