using Dapper;
using Npgsql;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Notifications;

public sealed record Recipient(long Id, string DisplayName, string? Email);

/// <summary>The audiences a definition's ladder and digest name (workflow.schema.json "audience").</summary>
public static class Audiences
{
    public const string Assignee = "assignee";
    public const string AssigneeOrDistrictCaseworkers = "assignee-or-district-caseworkers";
    public const string DistrictCaseworkers = "district-caseworkers";
    public const string DistrictSupervisors = "district-supervisors";
    public const string Leaders = "leaders";
}

/// <summary>
/// The active users who can be told, read once per sweep batch or digest run (a bureau has hundreds, not millions).
/// Disabled users are never told; a user without an address is still returned, so that skipping them is recorded.
/// </summary>
public sealed class RecipientDirectory
{
    private sealed class UserDistrict
    {
        public long Id { get; init; }
        public string DisplayName { get; init; } = "";
        public string? Email { get; init; }
        public string Role { get; init; } = "";
        public string? DistrictId { get; init; }
    }

    private readonly Dictionary<long, Recipient> _byId;
    private readonly ILookup<(string Role, string? District), Recipient> _byRoleAndDistrict;
    private readonly IReadOnlyList<Recipient> _leaders;

    private RecipientDirectory(IReadOnlyList<UserDistrict> rows)
    {
        _byId = rows.GroupBy(r => r.Id).ToDictionary(g => g.Key, g => ToRecipient(g.First()));
        _byRoleAndDistrict = rows.Where(r => r.DistrictId != null).ToLookup(r => (r.Role, r.DistrictId), ToRecipient);
        _leaders = rows.Where(r => r.Role == Roles.Leader).Select(r => _byId[r.Id]).DistinctBy(r => r.Id).ToList();
    }

    private static Recipient ToRecipient(UserDistrict u) => new(u.Id, u.DisplayName, string.IsNullOrWhiteSpace(u.Email) ? null : u.Email.Trim());

    public static async Task<RecipientDirectory> LoadAsync(NpgsqlConnection conn, NpgsqlTransaction? tx = null) =>
        new((await conn.QueryAsync<UserDistrict>("""
            SELECT u.id, u.display_name, u.email, u.role, d.district_id
            FROM wageclue.users u LEFT JOIN wageclue.user_districts d ON d.user_id = u.id
            WHERE NOT u.disabled
            ORDER BY u.id
            """, transaction: tx)).AsList());

    /// <summary>Everyone the audiences name for a clue, each once, in a stable order.</summary>
    public IReadOnlyList<Recipient> Resolve(IEnumerable<string> audiences, string districtId, long? assigneeId)
    {
        var result = new List<Recipient>();
        var assignee = assigneeId is { } id && _byId.TryGetValue(id, out var a) ? a : null;
        foreach (var audience in audiences)
        {
            result.AddRange(audience switch
            {
                Audiences.Assignee => assignee is null ? [] : [assignee],
                Audiences.AssigneeOrDistrictCaseworkers => assignee is null ? InDistrict(Roles.Caseworker, districtId) : [assignee],
                Audiences.DistrictCaseworkers => InDistrict(Roles.Caseworker, districtId),
                Audiences.DistrictSupervisors => InDistrict(Roles.Supervisor, districtId),
                Audiences.Leaders => _leaders,
                _ => throw new InvalidOperationException($"Unknown audience '{audience}': the definition schema should have refused it."),
            });
        }
        return result.DistinctBy(r => r.Id).ToList();
    }

    /// <summary>Supervisors with the districts each is responsible for (the daily digest's readers).</summary>
    public IEnumerable<(Recipient Supervisor, IReadOnlyList<string> Districts)> SupervisorsWithDistricts() =>
        _byRoleAndDistrict.Where(g => g.Key.Role == Roles.Supervisor)
            .SelectMany(g => g.Select(r => (Recipient: r, District: g.Key.District!)))
            .GroupBy(x => x.Recipient.Id)
            .Select(g => (g.First().Recipient, (IReadOnlyList<string>)g.Select(x => x.District).Order().ToList()))
            .OrderBy(x => x.Recipient.Id);

    private IEnumerable<Recipient> InDistrict(string role, string districtId) => _byRoleAndDistrict[(role, districtId)];
}
