using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Privacy;

namespace WageClue.Server.Features.Clues;

/// <summary>A recent clue an intake may repeat, with why it looks like one (同一反映人电话, 同一用人单位).</summary>
public sealed record LikelyDuplicate(long Id, string TrackingCode, DateTimeOffset ReceivedAt, string State, string StateName, string District,
    string EmployerName, bool SamePhone, bool SameEmployer)
{
    public string Why => (SamePhone, SameEmployer) switch
    {
        (true, true) => "同一反映人电话、同一用人单位",
        (true, false) => "同一反映人电话",
        _ => "同一用人单位",
    };
}

/// <summary>
/// The clues an intake may repeat: received within <see cref="ClueOptions.DuplicateWindow"/> (30 days by default)
/// with the same complainant phone, or about the same employer (the one confirmed, or the same credit code, or the
/// same name once blanks and brackets are normalised: indexed lookups, cheap enough for every intake; names that
/// merely contain each other are what the intake form's employer warning shows as the caseworker types); of those,
/// the ones the caller may read, newest first. Merged clues are left out: they already point to another.
/// </summary>
public sealed class DuplicateFinder(NpgsqlDataSource db, ClueWorkflow workflow, TimeProvider time,
    IOptions<ClueOptions> options, PersonalData pii)
{
    public const int Limit = 10;

    public async Task<IReadOnlyList<LikelyDuplicate>> FindAsync(ValidIntake intake, CurrentUser caller, long? exceptId = null)
    {
        var scope = AccessPolicy.Scope(caller);
        await using var conn = await db.OpenConnectionAsync();
        var employerIds = (await conn.QueryAsync<long>(Employers.EmployerRepository.SameEmployer,
            new { employerId = intake.EmployerId, creditCode = intake.EmployerCreditCode, employerName = intake.EmployerName })).ToList();
        var args = new DynamicParameters(new
        {
            phoneHash = pii.PhoneHash(intake.ComplainantPhone), since = (time.GetUtcNow() - options.Value.DuplicateWindow).ToUniversalTime(), exceptId,
            districts = scope.Districts?.ToArray(), createdBy = scope.CreatedBy, Limit, employerIds = employerIds.ToArray(),
        });
        // Each part names its phone or employer as a value, so the planner reads that index newest first and stops
        // after Limit rows: an employer (or a phone) with thousands of clues costs what one with two does.
        var parts = new List<string> { Newest("c.complainant_phone_hash = @phoneHash") };
        for (var e = 0; e < employerIds.Count; e++)
        {
            args.Add($"e{e}", employerIds[e]);
            parts.Add(Newest($"c.employer_id = @e{e}"));
        }
        var rows = await conn.QueryAsync<(long Id, string TrackingCode, DateTime ReceivedAt, string State, string DefinitionId, int DefinitionVersion,
            string District, string EmployerName, bool SamePhone, bool SameEmployer)>($"""
            WITH hits AS ({string.Join(" UNION ", parts)})
            SELECT c.id, c.tracking_code, c.received_at, i.state, i.definition_id, i.definition_version, d.name, c.employer_name,
                   c.complainant_phone_hash = @phoneHash, c.employer_id = ANY(@employerIds)
            FROM hits h
            JOIN wageclue.clues c ON c.id = h.id
            JOIN wageclue.workflow_instances i ON i.id = c.id
            JOIN wageclue.districts d ON d.id = i.district_id
            ORDER BY c.received_at DESC, c.id DESC
            LIMIT @Limit
            """, args);
        return rows.Select(r => new LikelyDuplicate(r.Id, r.TrackingCode, workflow.CurrentEngine.ToLocal(new DateTimeOffset(DateTime.SpecifyKind(r.ReceivedAt, DateTimeKind.Utc))),
            r.State, workflow.EngineFor(r.DefinitionId, r.DefinitionVersion).StateName(r.State), r.District, r.EmployerName, r.SamePhone, r.SameEmployer)).ToList();
    }

    /// <summary>The newest visible clues matching <paramref name="condition"/> within the window, at most Limit.</summary>
    private static string Newest(string condition) => $"""
        (SELECT c.id FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id
         WHERE {condition} AND c.received_at >= @since AND {Visible}
         ORDER BY c.received_at DESC LIMIT @Limit)
        """;

    /// <summary>What the caller may read, not merged (it points to another already), not the intake itself.</summary>
    private const string Visible = """
        i.state <> 'merged' AND c.id <> coalesce(@exceptId, 0)
        AND (@districts::text[] IS NULL OR i.district_id = ANY(@districts)) AND (@createdBy::bigint IS NULL OR i.created_by = @createdBy)
        """;
}
