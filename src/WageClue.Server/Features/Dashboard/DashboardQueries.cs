using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Dashboard;

/// <param name="Districts">What the caller may read; null is the whole city.</param>
public sealed record DashboardFilter(IReadOnlyList<string>? Districts, string? District, string? State, long? AssigneeId, bool Unassigned, string? Channel);

public sealed class DeadlineRow
{
    public long ClueId { get; init; }
    public string TrackingCode { get; init; } = "";
    public string EmployerName { get; init; } = "";
    public string State { get; init; } = "";
    public string Channel { get; init; } = "";
    public string DistrictId { get; init; } = "";
    public string DistrictName { get; init; } = "";
    public long? AssigneeId { get; init; }
    public string? AssigneeName { get; init; }
    public string Clock { get; init; } = "";
    public DateTimeOffset DueAt { get; init; }
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
}

public sealed record StateCount(string DistrictId, string State, long Count);

public sealed record RateRow(string Clock, long OnTime, long Total)
{
    public double? Rate => Total == 0 ? null : (double)OnTime / Total;
}

public sealed record TrendRow(DateOnly Day, string Clock, long OnTime, long Total);

/// <summary>
/// The supervisor and leadership views' reads. Every list is paged and rides an index: running clocks by due time
/// (clue_clocks_running_due_idx) for the deadline lists, all clocks by due time for the rates.
/// </summary>
public sealed class DashboardQueries(NpgsqlDataSource db)
{
    /// <summary>Running clocks due after <paramref name="after"/> (if given) and at or before <paramref name="upTo"/>, earliest (most overdue) first.</summary>
    public async Task<(IReadOnlyList<DeadlineRow> Rows, long Total)> DeadlinesAsync(DashboardFilter f, DateTimeOffset? after, DateTimeOffset upTo, int page, int pageSize)
    {
        var (where, args) = Where(f);
        where.Add("k.met_at IS NULL AND k.cancelled_at IS NULL AND k.due_at <= @upTo");
        if (after != null) where.Add("k.due_at > @after");
        args.Add("upTo", upTo.ToUniversalTime());
        args.Add("after", after?.ToUniversalTime());
        args.Add("limit", pageSize);
        args.Add("offset", (page - 1) * pageSize);
        var from = $"""
            FROM wageclue.clue_clocks k
            JOIN wageclue.clues c ON c.id = k.clue_id
            WHERE {string.Join(" AND ", where)}
            """;
        await using var conn = await db.OpenConnectionAsync();
        var rows = (await conn.QueryAsync<DeadlineRow>($"""
            SELECT c.id AS clue_id, c.tracking_code, c.employer_name, c.state, c.channel, c.district_id, d.name AS district_name,
                   c.assignee_id, u.display_name AS assignee_name, k.clock, k.due_at, c.definition_id, c.definition_version
            FROM wageclue.clue_clocks k
            JOIN wageclue.clues c ON c.id = k.clue_id
            JOIN wageclue.districts d ON d.id = c.district_id
            LEFT JOIN wageclue.users u ON u.id = c.assignee_id
            WHERE {string.Join(" AND ", where)}
            ORDER BY k.due_at, c.id, k.clock
            LIMIT @limit OFFSET @offset
            """, args)).AsList();
        var total = await conn.ExecuteScalarAsync<long>($"SELECT count(*) {from}", args);
        return (rows, total);
    }

    /// <summary>Per district, how many clues have a running clock due in the window (each clue once).</summary>
    public async Task<IReadOnlyDictionary<string, long>> DeadlineCountsByDistrictAsync(DashboardFilter f, DateTimeOffset? after, DateTimeOffset upTo)
    {
        var (where, args) = Where(f);
        where.Add("k.met_at IS NULL AND k.cancelled_at IS NULL AND k.due_at <= @upTo");
        if (after != null) where.Add("k.due_at > @after");
        args.Add("upTo", upTo.ToUniversalTime());
        args.Add("after", after?.ToUniversalTime());
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<(string, long)>($"""
            SELECT c.district_id, count(DISTINCT c.id)
            FROM wageclue.clue_clocks k JOIN wageclue.clues c ON c.id = k.clue_id
            WHERE {string.Join(" AND ", where)}
            GROUP BY c.district_id
            """, args)).ToDictionary(r => r.Item1, r => r.Item2);
    }

    public async Task<IReadOnlyList<StateCount>> StateCountsAsync(DashboardFilter f)
    {
        var (where, args) = Where(f);
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<StateCount>($"""
            SELECT c.district_id, c.state, count(*) AS count FROM wageclue.clues c
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            GROUP BY c.district_id, c.state
            """, args)).AsList();
    }

    /// <summary>
    /// Of the clocks that fell due in [from, to): how many were met by their deadline. A clock still unmet, or met
    /// late, counts against; one cancelled because the clue ended (rejected, merged) counts neither way.
    /// </summary>
    public async Task<IReadOnlyList<RateRow>> RatesAsync(DashboardFilter f, DateTimeOffset from, DateTimeOffset to)
    {
        var (where, args) = RateWhere(f, from, to);
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<RateRow>($"""
            SELECT k.clock, count(*) FILTER (WHERE k.met_at <= k.due_at) AS on_time, count(*) AS total
            FROM wageclue.clue_clocks k JOIN wageclue.clues c ON c.id = k.clue_id
            WHERE {string.Join(" AND ", where)}
            GROUP BY k.clock
            """, args)).AsList();
    }

    /// <summary>The same rates per district (leadership's side-by-side view).</summary>
    public async Task<IReadOnlyList<(string DistrictId, RateRow Rate)>> RatesByDistrictAsync(DashboardFilter f, DateTimeOffset from, DateTimeOffset to)
    {
        var (where, args) = RateWhere(f, from, to);
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<(string, string, long, long)>($"""
            SELECT c.district_id, k.clock, count(*) FILTER (WHERE k.met_at <= k.due_at), count(*)
            FROM wageclue.clue_clocks k JOIN wageclue.clues c ON c.id = k.clue_id
            WHERE {string.Join(" AND ", where)}
            GROUP BY c.district_id, k.clock
            """, args)).Select(r => (r.Item1, new RateRow(r.Item2, r.Item3, r.Item4))).ToList();
    }

    /// <summary>Daily rates by the local day the clocks fell due.</summary>
    public async Task<IReadOnlyList<TrendRow>> TrendAsync(DashboardFilter f, DateTimeOffset from, DateTimeOffset to, string timeZone)
    {
        var (where, args) = RateWhere(f, from, to);
        args.Add("zone", timeZone);
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<(DateTime, string, long, long)>($"""
            SELECT (k.due_at AT TIME ZONE @zone)::date AS day, k.clock, count(*) FILTER (WHERE k.met_at <= k.due_at), count(*)
            FROM wageclue.clue_clocks k JOIN wageclue.clues c ON c.id = k.clue_id
            WHERE {string.Join(" AND ", where)}
            GROUP BY 1, 2 ORDER BY 1
            """, args)).Select(r => new TrendRow(DateOnly.FromDateTime(r.Item1), r.Item2, r.Item3, r.Item4)).ToList();
    }

    private static (List<string>, DynamicParameters) RateWhere(DashboardFilter f, DateTimeOffset from, DateTimeOffset to)
    {
        var (where, args) = Where(f);
        where.Add("k.due_at >= @from AND k.due_at < @to AND k.cancelled_at IS NULL");
        args.Add("from", from.ToUniversalTime());
        args.Add("to", to.ToUniversalTime());
        return (where, args);
    }

    private static (List<string>, DynamicParameters) Where(DashboardFilter f)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        if (f.Districts != null) { where.Add("c.district_id = ANY(@districts)"); args.Add("districts", f.Districts.ToArray()); }
        if (f.District != null) { where.Add("c.district_id = @district"); args.Add("district", f.District); }
        if (f.State != null) { where.Add("c.state = @state"); args.Add("state", f.State); }
        if (f.AssigneeId != null) { where.Add("c.assignee_id = @assignee"); args.Add("assignee", f.AssigneeId); }
        if (f.Unassigned) where.Add("c.assignee_id IS NULL");
        if (f.Channel != null) { where.Add("c.channel = @channel"); args.Add("channel", f.Channel); }
        return (where, args);
    }
}
