using Dapper;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Employers;

public sealed class EmployerRow
{
    public long Id { get; init; }
    public string? CreditCode { get; init; }
    public string Name { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>What a repeat offender looks like at a glance: its clues city-wide (counts and sums, nothing personal), records and listing.</summary>
public sealed class EmployerSummary
{
    public long EmployerId { get; init; }
    public long Clues { get; init; }
    public long OpenClues { get; init; }
    public decimal Owed { get; init; }
    public decimal Recovered { get; init; }
    public long Workers { get; init; }
    public long CreditRecords { get; init; }
    public long? ListingId { get; init; }
    public string? ListingState { get; init; }
    public string? ListingCaseNumber { get; init; }

    public bool HasHistory => OpenClues > 0 || CreditRecords > 0 || ListingId != null;
}

/// <summary>One of the employer's clues as its page lists them (no complainant data).</summary>
public sealed class EmployerClue
{
    public long Id { get; init; }
    public string TrackingCode { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    public string State { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public int WorkerCount { get; init; }
    public decimal AmountOwed { get; init; }
    public decimal? AmountRecovered { get; init; }
    public int? WorkersPaid { get; init; }
    public string? OutcomeType { get; init; }
}

public sealed record TopEmployer(long Id, string Name, string? CreditCode, long Clues, decimal Owed);

/// <summary>
/// The only SQL that reads employers. They are written by the clue insert trigger of migration 0007 (matching by
/// credit code, or by wageclue.employer_name_key), so every way a clue arrives links it the same way.
/// </summary>
public sealed class EmployerRepository(NpgsqlDataSource db, WorkflowRegistry workflows)
{
    private const string Select = """
        SELECT e.id, e.credit_code, e.name, e.district_id, d.name AS district_name, e.created_at
        FROM wageclue.employers e JOIN wageclue.districts d ON d.id = e.district_id
        """;

    /// <summary>The states in which an instance of any version of the clue or listing definition is finished.</summary>
    private string[] FinalStates => workflows.All.SelectMany(d => d.States).Where(s => s.Final).Select(s => s.Id).Distinct().ToArray();

    public async Task<EmployerRow?> FindAsync(long id)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await conn.QuerySingleOrDefaultAsync<EmployerRow>($"{Select} WHERE e.id = @id", new { id });
    }

    /// <summary>
    /// An intake naming the employer the caseworker confirmed must name one that exists, and one the credit code (if
    /// given) belongs to: the code decides which employer a clue is about.
    /// </summary>
    public async Task<Dictionary<string, string[]>> CheckConfirmedAsync(long? employerId, string? creditCode)
    {
        var errors = new Dictionary<string, string[]>();
        if (employerId is not { } id) return errors;
        var employer = await FindAsync(id);
        if (employer == null) errors["employerId"] = ["没有这个用人单位"];
        else if (creditCode != null && employer.CreditCode != creditCode)
            errors["employerId"] = ["所选用人单位与填写的统一社会信用代码不一致"];
        return errors;
    }

    /// <summary>
    /// The employers an intake would link to or could mean: the one with this credit code, the one whose name
    /// matches exactly, and those whose names contain the other (淄博华信 / 淄博华信建筑有限公司), at most five.
    /// </summary>
    public async Task<IReadOnlyList<EmployerRow>> MatchesAsync(string? creditCode, string? name)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<EmployerRow>($"""
            {Select}
            WHERE (@creditCode::text IS NOT NULL AND e.credit_code = @creditCode)
               OR (@name::text IS NOT NULL AND length(wageclue.employer_name_key(@name)) >= 4 AND (
                     e.name_key = wageclue.employer_name_key(@name)
                  OR e.name_key LIKE '%' || wageclue.employer_name_key(@name) || '%'
                  OR wageclue.employer_name_key(@name) LIKE '%' || e.name_key || '%'))
            ORDER BY (e.credit_code = @creditCode) DESC NULLS LAST, (e.name_key = wageclue.employer_name_key(@name)) DESC, e.id
            LIMIT 5
            """, new { creditCode, name })).AsList();
    }

    /// <summary>
    /// The employers an intake is about, by identity alone, each from an index: the one confirmed (@employerId), or
    /// the one with its credit code (@creditCode) and those with its name once normalised (@employerName; one without
    /// a code may be the same unit). DuplicateFinder reads it first, so that each employer is then a known value.
    /// </summary>
    public const string SameEmployer = """
        SELECT id FROM wageclue.employers
        WHERE id = @employerId
           OR (@employerId::bigint IS NULL AND (credit_code = @creditCode OR name_key = wageclue.employer_name_key(@employerName)))
        """;

    public async Task<IReadOnlyDictionary<long, EmployerSummary>> SummariesAsync(IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0) return new Dictionary<long, EmployerSummary>();
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<EmployerSummary>("""
            SELECT e.id AS employer_id,
                   coalesce(c.clues, 0) AS clues, coalesce(c.open_clues, 0) AS open_clues, coalesce(c.owed, 0) AS owed,
                   coalesce(c.recovered, 0) AS recovered, coalesce(c.workers, 0) AS workers,
                   (SELECT count(*) FROM wageclue.credit_records r WHERE r.employer_id = e.id AND r.status <> 'withdrawn') AS credit_records,
                   l.id AS listing_id, l.state AS listing_state, l.case_number AS listing_case_number
            FROM wageclue.employers e
            LEFT JOIN LATERAL (
                SELECT count(*) AS clues, count(*) FILTER (WHERE i.state <> ALL(@finals)) AS open_clues, sum(x.amount_owed) AS owed,
                       sum(x.amount_recovered) AS recovered, sum(x.worker_count) AS workers
                FROM wageclue.clues x JOIN wageclue.workflow_instances i ON i.id = x.id
                WHERE x.employer_id = e.id AND i.state <> 'merged') c ON true
            LEFT JOIN LATERAL (
                SELECT li.id, i.state, li.case_number FROM wageclue.listings li JOIN wageclue.workflow_instances i ON i.id = li.id
                WHERE li.employer_id = e.id ORDER BY (i.state <> ALL(@finals)) DESC, li.id DESC LIMIT 1) l ON true
            WHERE e.id = ANY(@ids)
            """, new { ids = ids.ToArray(), finals = FinalStates })).ToDictionary(s => s.EmployerId);
    }

    /// <summary>The employer's clues the caller may read, newest first.</summary>
    public async Task<IReadOnlyList<EmployerClue>> CluesAsync(long employerId, ReadScope scope, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<EmployerClue>("""
            SELECT c.id, c.tracking_code, d.name AS district_name, c.received_at, i.state, i.definition_id, i.definition_version,
                   c.worker_count, c.amount_owed, c.amount_recovered, c.workers_paid, c.outcome_type
            FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id JOIN wageclue.districts d ON d.id = i.district_id
            WHERE c.employer_id = @employerId
              AND (@districts::text[] IS NULL OR i.district_id = ANY(@districts)) AND (@createdBy::bigint IS NULL OR i.created_by = @createdBy)
            ORDER BY c.received_at DESC, c.id DESC
            LIMIT @limit
            """, new { employerId, districts = scope.Districts?.ToArray(), createdBy = scope.CreatedBy, limit })).AsList();
    }

    /// <summary>The employers with the most clues, or the largest amounts owed, received since <paramref name="since"/> in the districts given.</summary>
    public async Task<IReadOnlyList<TopEmployer>> TopAsync(IReadOnlyList<string>? districts, DateTimeOffset since, bool byAmount, int limit)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<TopEmployer>($"""
            SELECT e.id, e.name, e.credit_code, count(*) AS clues, sum(c.amount_owed) AS owed
            FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id JOIN wageclue.employers e ON e.id = c.employer_id
            WHERE c.received_at >= @since AND i.state <> 'merged' AND (@districts::text[] IS NULL OR i.district_id = ANY(@districts))
            GROUP BY e.id
            ORDER BY {(byAmount ? "owed DESC, clues DESC" : "clues DESC, owed DESC")}, e.id
            LIMIT @limit
            """, new { districts = districts?.ToArray(), since = since.ToUniversalTime(), limit })).AsList();
    }
}
