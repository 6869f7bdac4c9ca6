using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Imports;

/// <summary>A clue already imported from a system: its reference there and what it became here.</summary>
public sealed class ImportedClue
{
    public string SourceReference { get; init; } = "";
    public long Id { get; init; }
    public string TrackingCode { get; init; } = "";
    public byte[] SourceHash { get; init; } = [];
}

/// <summary>An imported clue's answer for the system it came from (the results export).</summary>
public sealed class ImportResultRow
{
    public string SourceReference { get; init; } = "";
    public string TrackingCode { get; init; } = "";
    public string State { get; init; } = "";
    public DateTimeOffset ReceivedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FeedbackAt { get; init; }
    public string? Route { get; init; }
    public string? RejectionReason { get; init; }
    public string? Outcome { get; init; }
    public decimal? AmountRecovered { get; init; }
    public int? WorkersPaid { get; init; }
}

/// <summary>The SQL of the clues' source columns (migration 0016); the clue itself is written by the intake (ClueRepository).</summary>
public sealed class ImportStore(NpgsqlDataSource db)
{
    public async Task<Dictionary<string, ImportedClue>> FindAsync(string system, IReadOnlyCollection<string> references)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<ImportedClue>("""
            SELECT source_reference, id, tracking_code, source_hash FROM wageclue.clues
            WHERE source_system = @system AND source_reference = ANY(@references)
            """, new { system, references = references.ToArray() })).ToDictionary(c => c.SourceReference, StringComparer.Ordinal);
    }

    /// <summary>
    /// Every clue imported from <paramref name="system"/>, changed since <paramref name="since"/> when given, in the
    /// order of the other system's references (a batch's rows are registered in parallel, so their ids are not).
    /// </summary>
    public async Task<IReadOnlyList<ImportResultRow>> ResultsAsync(string system, DateTimeOffset? since)
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<ImportResultRow>("""
            SELECT c.source_reference, c.tracking_code, i.state, c.received_at, i.updated_at,
                   (SELECT max(k.met_at) FROM wageclue.workflow_clocks k WHERE k.instance_id = c.id AND k.clock = 'feedback') AS feedback_at,
                   c.route, c.rejection_reason, c.outcome, c.amount_recovered, c.workers_paid
            FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id
            WHERE c.source_system = @system AND (@since::timestamptz IS NULL OR i.updated_at >= @since)
            ORDER BY c.source_reference
            """, new { system, since = since?.ToUniversalTime() })).AsList();
    }
}
