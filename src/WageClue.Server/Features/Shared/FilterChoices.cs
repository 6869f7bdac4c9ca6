using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Districts;

namespace WageClue.Server.Features.Shared;

/// <summary>
/// The choices of the list filters (区县, 承办人) within what the caller may read: the dashboard and the search page
/// offer the same ones. 承办人 lists only people who may hold clues (never the integration account).
/// </summary>
public sealed record FilterChoices(IReadOnlyList<DistrictResponse> Districts, IReadOnlyList<UserRow> People)
{
    public static async Task<FilterChoices> LoadAsync(DistrictRepository districts, UserRepository users, CurrentUser me)
    {
        var readable = AccessPolicy.Scope(me).Districts;
        return new FilterChoices(
            (await districts.ListAsync()).Where(d => readable == null || readable.Contains(d.Id)).ToList(),
            (await users.ListAsync()).Where(u => AccessPolicy.MayHold(u.Role) && !u.Disabled
                && (readable == null || u.Districts.Any(readable.Contains))).ToList());
    }
}
