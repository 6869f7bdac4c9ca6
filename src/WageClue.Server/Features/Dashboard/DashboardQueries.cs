using Dapper;
using Npgsql;
using WageClue.Server.Features.Instances;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Dashboard;

/// <param name="Districts">What the caller may read; null is the whole city.</param>
public sealed record DashboardFilter(IReadOnlyList<string>? Districts, string? District, string? State, long? AssigneeId, bool Unassigned, string? Channel)
{
    /// <summary>State, assignee and channel live on the clue; districts alone are answered from clocks and summaries.</summary>
    public bool NeedsClue => State != null || AssigneeId != null || Unassigned || Channel != null;
}

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
    public int Round { get; init; } = 1;
    public DateTimeOffset DueAt { get; init; }
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
}

public sealed record StateCount(string DistrictId, string State, long Count);

/// <param name="OnTime">Met by the original deadline.</param>
/// <param name="Extended">Met after the original deadline, within an approved extension: counted apart, neither on time nor late.</param>
public sealed record RateRow(string Clock, long OnTime, long Total, long Extended = 0)
{
    public double? Rate => Total == 0 ? null : (double)OnTime / Total;

    public double? ExtendedRate => Total == 0 ? null : (double)Extended / Total;
}

public sealed record TrendRow(DateOnly Day, string Clock, long OnTime, long Total);

/// <summary>
/// The supervisor and leadership views' reads, kept fast at a million clues (deploy/bench.sh measures them):
/// deadline lists ride the running-clock index by district and due time; counts and the finished days of the
/// compliance rates come from the summaries StatsRefresh rebuilds; only today is computed live.
/// </summary>
/// <param name="timeZone">The definition's zone: days are local days.</param>
public sealed class DashboardQueries(NpgsqlDataSource db, string timeZone)
{
    private readonly string _zoneId = timeZone;
    private readonly TimeZoneInfo _zone = TimeZones.Find(timeZone);

    /// <summary>Running clocks due after <paramref name="after"/> (if given) and at or before <paramref name="upTo"/>, earliest (most overdue) first.</summary>
    /// <summary>One page of running clocks due in the window, soonest first; the total counts clocks (a clue with three
    /// overdue clocks is three rows) and, separately, the clues they belong to, so the page can say both.</summary>
    public async Task<(IReadOnlyList<DeadlineRow> Rows, long Total, long Clues)> DeadlinesAsync(DashboardFilter f, DateTimeOffset? after, DateTimeOffset upTo, int page, int pageSize)
    {
        var (where, args) = DeadlineWhere(f, after, upTo);
        args.Add("limit", pageSize);
        args.Add("offset", (page - 1) * pageSize);
        var join = f.NeedsClue ? "JOIN wageclue.workflow_instances i ON i.id = k.instance_id JOIN wageclue.clues c ON c.id = k.instance_id" : "";
        await using var conn = await db.OpenConnectionAsync();
        // The page's rows first from the index alone, then their clues: 25 lookups, whatever the size of the table.
        var rows = (await conn.QueryAsync<DeadlineRow>($"""
            WITH page AS (
                SELECT k.instance_id, k.clock, k.round, k.due_at FROM wageclue.workflow_clocks k {join}
                WHERE {string.Join(" AND ", where)}
                ORDER BY k.due_at, k.instance_id, k.clock, k.round
                LIMIT @limit OFFSET @offset)
            SELECT c.id AS clue_id, c.tracking_code, c.employer_name, i.state, c.channel, i.district_id, d.name AS district_name,
                   i.assignee_id, u.display_name AS assignee_name, p.clock, p.round, p.due_at, i.definition_id, i.definition_version
            FROM page p
            JOIN wageclue.workflow_instances i ON i.id = p.instance_id
            JOIN wageclue.clues c ON c.id = p.instance_id
            JOIN wageclue.districts d ON d.id = i.district_id
            LEFT JOIN wageclue.users u ON u.id = i.assignee_id
            ORDER BY p.due_at, p.instance_id, p.clock, p.round
            """, args)).AsList();
        var (total, clues) = await conn.QuerySingleAsync<(long, long)>(
            $"SELECT count(*), count(DISTINCT k.instance_id) FROM wageclue.workflow_clocks k {join} WHERE {string.Join(" AND ", where)}", args);
        return (rows, total, clues);
    }

    /// <summary>Per district, how many clues have a running clock due in the window (each clue once).</summary>
    public async Task<IReadOnlyDictionary<string, long>> DeadlineCountsByDistrictAsync(DashboardFilter f, DateTimeOffset? after, DateTimeOffset upTo)
    {
        var (where, args) = DeadlineWhere(f, after, upTo);
        var join = f.NeedsClue ? "JOIN wageclue.workflow_instances i ON i.id = k.instance_id JOIN wageclue.clues c ON c.id = k.instance_id" : "";
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<(string, long)>($"""
            SELECT k.district_id, count(DISTINCT k.instance_id) FROM wageclue.workflow_clocks k {join}
            WHERE {string.Join(" AND ", where)}
            GROUP BY k.district_id
            """, args)).ToDictionary(r => r.Item1, r => r.Item2);
    }

    /// <summary>Counts by district and state, from the summary; with clue filters, counted live.</summary>
    public async Task<(IReadOnlyList<StateCount> Counts, DateTimeOffset? AsOf)> StateCountsAsync(DashboardFilter f)
    {
        await using var conn = await db.OpenConnectionAsync();
        if (!f.NeedsClue)
        {
            var (where, args) = DistrictWhere(f, "s.district_id");
            var counts = (await conn.QueryAsync<StateCount>($"""
                SELECT s.district_id, s.state, s.count FROM wageclue.clue_state_counts s
                {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
                """, args)).AsList();
            if (await conn.ExecuteScalarAsync<DateTime?>("SELECT refreshed_at FROM wageclue.stats_refresh") is { } asOf)
                return (counts, Utc(asOf));
        }
        var (clueWhere, clueArgs) = ClueWhere(f);
        return ((await conn.QueryAsync<StateCount>($"""
            SELECT i.district_id, i.state, count(*) AS count FROM wageclue.workflow_instances i JOIN wageclue.clues c ON c.id = i.id
            {(clueWhere.Count > 0 ? "WHERE " + string.Join(" AND ", clueWhere) : "")}
            GROUP BY i.district_id, i.state
            """, clueArgs)).AsList(), null);
    }

    /// <summary>
    /// Of the clocks that fell due in [from, to): how many were met by their deadline. A clock still unmet, or met
    /// late, counts against; one cancelled because the clue ended (rejected, merged) counts neither way.
    /// </summary>
    public async Task<IReadOnlyList<RateRow>> RatesAsync(DashboardFilter f, DateTimeOffset from, DateTimeOffset to) =>
        (await DailyAsync(f, from, to))
            .GroupBy(r => r.Clock).Select(g => new RateRow(g.Key, g.Sum(r => r.OnTime), g.Sum(r => r.Total), g.Sum(r => r.Extended))).ToList();

    /// <summary>The same rates per district (leadership's side-by-side view).</summary>
    public async Task<IReadOnlyList<(string DistrictId, RateRow Rate)>> RatesByDistrictAsync(DashboardFilter f, DateTimeOffset from, DateTimeOffset to) =>
        (await DailyAsync(f, from, to))
            .GroupBy(r => (r.DistrictId, r.Clock)).Select(g => (g.Key.DistrictId, new RateRow(g.Key.Clock, g.Sum(r => r.OnTime), g.Sum(r => r.Total), g.Sum(r => r.Extended)))).ToList();

    /// <summary>Daily rates by the local day the clocks fell due.</summary>
    public async Task<IReadOnlyList<TrendRow>> TrendAsync(DashboardFilter f, DateTimeOffset from, DateTimeOffset to) =>
        (await DailyAsync(f, from, to))
            .GroupBy(r => (r.Day, r.Clock)).Select(g => new TrendRow(g.Key.Day, g.Key.Clock, g.Sum(r => r.OnTime), g.Sum(r => r.Total))).ToList();

    private sealed record DailyRow(DateOnly Day, string DistrictId, string Clock, long OnTime, long Total, long Extended);

    /// <summary>
    /// Per local day, district and clock: the days the summary covers from the summary, the rest (the part of the
    /// first day inside the window, and everything due since the summary's last rebuild) live from the clocks. The
    /// summary's last day is partial (up to the rebuild, StatsRefresh); it is used only by a window that runs past
    /// the rebuild, as a dashboard's "up to now" does; an earlier end takes whole days from it and the rest live.
    /// </summary>
    private async Task<List<DailyRow>> DailyAsync(DashboardFilter f, DateTimeOffset from, DateTimeOffset to)
    {
        await using var conn = await db.OpenConnectionAsync();
        if (f.NeedsClue) return (await LiveAsync(conn, f, from, to)).ToList();

        var fromDay = TimeZones.LocalDay(_zone, from);
        var firstWholeDay = Midnight(fromDay) == from ? from : Midnight(fromDay.AddDays(1));
        // Npgsql reads timestamptz as a UTC DateTime ('-infinity', never rebuilt, as DateTime.MinValue).
        var until = Utc(await conn.ExecuteScalarAsync<DateTime>("SELECT days_until FROM wageclue.stats_refresh"));
        if (until <= firstWholeDay) return (await LiveAsync(conn, f, from, to)).ToList();
        var untilDay = TimeZones.LocalDay(_zone, until);
        var (summaryEnd, endDay) = to >= until
            ? (until, Midnight(untilDay) == until ? untilDay : untilDay.AddDays(1))
            : (Midnight(TimeZones.LocalDay(_zone, to)), TimeZones.LocalDay(_zone, to));
        if (summaryEnd <= firstWholeDay) return (await LiveAsync(conn, f, from, to)).ToList();

        var (where, args) = DistrictWhere(f, "s.district_id");
        where.Add("s.day >= @firstDay AND s.day < @endDay");
        args.Add("firstDay", TimeZones.LocalDay(_zone, firstWholeDay));
        args.Add("endDay", endDay);
        var rows = (await conn.QueryAsync<(DateTime, string, string, long, long, long)>($"""
            SELECT s.day, s.district_id, s.clock, s.on_time, s.total, s.extended FROM wageclue.clock_day_stats s WHERE {string.Join(" AND ", where)}
            """, args)).Select(r => new DailyRow(DateOnly.FromDateTime(r.Item1), r.Item2, r.Item3, r.Item4, r.Item5, r.Item6)).ToList();
        rows.AddRange(await LiveAsync(conn, f, from, firstWholeDay));
        rows.AddRange(await LiveAsync(conn, f, summaryEnd, to));
        return rows;
    }

    /// <summary>"The last N days": from local midnight N-1 days before today, so every day in it is a whole day.</summary>
    public DateTimeOffset WindowStart(DateTimeOffset now, int days) =>
        Midnight(TimeZones.LocalDay(_zone, now).AddDays(1 - days));

    private static DateTimeOffset Utc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private DateTimeOffset Midnight(DateOnly day) => TimeZones.AtLocal(_zone, day, TimeOnly.MinValue);

    private async Task<IEnumerable<DailyRow>> LiveAsync(NpgsqlConnection conn, DashboardFilter f, DateTimeOffset from, DateTimeOffset to)
    {
        if (from >= to) return [];
        var (where, args) = f.NeedsClue ? ClueWhere(f, "k.district_id") : DistrictWhere(f, "k.district_id");
        where.Add($"k.due_at >= @from AND k.due_at < @to AND {ClockStore.Counted}");
        args.Add("from", from.ToUniversalTime());
        args.Add("to", to.ToUniversalTime());
        args.Add("zone", _zoneId);
        var join = f.NeedsClue ? "JOIN wageclue.workflow_instances i ON i.id = k.instance_id JOIN wageclue.clues c ON c.id = k.instance_id" : "";
        return (await conn.QueryAsync<(DateTime, string, string, long, long, long)>($"""
            SELECT (k.due_at AT TIME ZONE @zone)::date, k.district_id, k.clock, count(*) FILTER (WHERE {ClockStore.MetOnTime}), count(*),
                   count(*) FILTER (WHERE {ClockStore.MetWithinExtension})
            FROM wageclue.workflow_clocks k {join}
            WHERE {string.Join(" AND ", where)}
            GROUP BY 1, 2, 3
            """, args)).Select(r => new DailyRow(DateOnly.FromDateTime(r.Item1), r.Item2, r.Item3, r.Item4, r.Item5, r.Item6));
    }

    private static (List<string>, DynamicParameters) DeadlineWhere(DashboardFilter f, DateTimeOffset? after, DateTimeOffset upTo)
    {
        var (where, args) = f.NeedsClue ? ClueWhere(f, "k.district_id") : DistrictWhere(f, "k.district_id");
        where.Add($"{ClockStore.ClueRunning} AND k.due_at <= @upTo");
        if (after != null) where.Add("k.due_at > @after");
        args.Add("upTo", upTo.ToUniversalTime());
        args.Add("after", after?.ToUniversalTime());
        return (where, args);
    }

    private static (List<string>, DynamicParameters) DistrictWhere(DashboardFilter f, string column)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        if (f.Districts != null) { where.Add($"{column} = ANY(@districts)"); args.Add("districts", f.Districts.ToArray()); }
        if (f.District != null) { where.Add($"{column} = @district"); args.Add("district", f.District); }
        return (where, args);
    }

    /// <param name="districtColumn">The clock's copy of the district where clocks are read, so its index serves.</param>
    private static (List<string>, DynamicParameters) ClueWhere(DashboardFilter f, string districtColumn = "i.district_id")
    {
        var (where, args) = DistrictWhere(f, districtColumn);
        if (f.State != null) { where.Add("i.state = @state"); args.Add("state", f.State); }
        if (f.AssigneeId != null) { where.Add("i.assignee_id = @assignee"); args.Add("assignee", f.AssigneeId); }
        if (f.Unassigned) where.Add("i.assignee_id IS NULL");
        if (f.Channel != null) { where.Add("c.channel = @channel"); args.Add("channel", f.Channel); }
        return (where, args);
    }
}
