using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;

namespace WageClue.Server.Features.Employers;

/// <summary>The employer of a clue at a glance (the clue page's card): a repeat offender is visible without a search.</summary>
/// <param name="StartListingFrom">The clue a supervisor may start a listing case from here, or null.</param>
public sealed record EmployerCard(EmployerRow Employer, EmployerSummary Summary, string? ListingStateName, long? StartListingFrom)
{
    public static async Task<EmployerCard> LoadAsync(EmployerRepository employers, Listings.ListingWorkflow listings, long employerId, CurrentUser me,
        string districtId, long? clueId)
    {
        var employer = (await employers.FindAsync(employerId))!;
        var summary = (await employers.SummariesAsync([employerId]))[employerId];
        var listingOpen = summary.ListingState is { } s && !Listings.ListingRepository.Finished.Contains(s);
        return new EmployerCard(employer, summary, summary.ListingState is { } state ? listings.CurrentEngine.StateName(state) : null,
            clueId != null && !listingOpen && AccessPolicy.CanStartListing(me, districtId) ? clueId : null);
    }

    /// <summary>More than one clue, or a record, or a listing: marked as a repeat offender.</summary>
    public bool RepeatOffender => Summary.Clues > 1 || Summary.CreditRecords > 0 || Summary.ListingId != null;
}
