using Dapper;
using Npgsql;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Instances;

/// <summary>One history row, its entry read back into its type.</summary>
public sealed record HistoryRecord(long Id, DateTimeOffset At, long? ActorId, string? ActorName, string Kind, string? Action,
    string? FromState, string? ToState, int Version, HistoryEntry Entry, string Json);

/// <summary>The only SQL of workflow_history: append-only, like Hangfire's job history.</summary>
public static class HistoryStore
{
    public static Task AppendAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long instanceId, int instanceVersion, long? actorId,
        HistoryEntry entry, DateTimeOffset now, string? action = null, string? fromState = null, string? toState = null) =>
        AppendManyAsync(conn, tx, [new(instanceId, instanceVersion, entry, action, actorId, fromState, toState)], now);

    /// <summary>One entry to append; the sweep's have no actor and no change of state.</summary>
    public sealed record NewEntry(long InstanceId, int InstanceVersion, HistoryEntry Entry, string? Action,
        long? ActorId = null, string? FromState = null, string? ToState = null);

    /// <summary>Entries in one statement (the sweep's batch, or one), in the order given.</summary>
    public static Task AppendManyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<NewEntry> entries, DateTimeOffset now) =>
        entries.Count == 0 ? Task.CompletedTask : conn.ExecuteAsync("""
            INSERT INTO wageclue.workflow_history (instance_id, at, actor_id, kind, action, from_state, to_state, instance_version, data)
            SELECT instance_id, @now, actor_id, kind, action, from_state, to_state, instance_version, data::jsonb
            FROM unnest(@instanceIds, @actorIds, @kinds, @actions, @fromStates, @toStates, @versions, @data)
                WITH ORDINALITY AS e(instance_id, actor_id, kind, action, from_state, to_state, instance_version, data, n)
            ORDER BY n
            """, new
            {
                instanceIds = entries.Select(e => e.InstanceId).ToArray(), actorIds = entries.Select(e => e.ActorId).ToArray(),
                kinds = entries.Select(e => e.Entry.Kind).ToArray(), actions = entries.Select(e => e.Action).ToArray(),
                fromStates = entries.Select(e => e.FromState).ToArray(), toStates = entries.Select(e => e.ToState).ToArray(),
                versions = entries.Select(e => e.InstanceVersion).ToArray(), data = entries.Select(e => e.Entry.ToJson()).ToArray(), now,
            }, tx);

    private sealed class Row
    {
        public long Id { get; init; }
        public DateTimeOffset At { get; init; }
        public long? ActorId { get; init; }
        public string? ActorName { get; init; }
        public string Kind { get; init; } = "";
        public string? Action { get; init; }
        public string? FromState { get; init; }
        public string? ToState { get; init; }
        public int InstanceVersion { get; init; }
        public string Data { get; init; } = "{}";
    }

    public static async Task<IReadOnlyList<HistoryRecord>> ReadAsync(NpgsqlDataSource db, long instanceId)
    {
        await using var conn = await db.OpenConnectionAsync();
        var rows = await conn.QueryAsync<Row>("""
            SELECT h.id, h.at, h.actor_id, u.display_name AS actor_name, h.kind, h.action, h.from_state, h.to_state, h.instance_version, h.data::text AS data
            FROM wageclue.workflow_history h LEFT JOIN wageclue.users u ON u.id = h.actor_id
            WHERE h.instance_id = @instanceId ORDER BY h.id
            """, new { instanceId });
        return rows.Select(r => new HistoryRecord(r.Id, r.At, r.ActorId, r.ActorName, r.Kind, r.Action, r.FromState, r.ToState,
            r.InstanceVersion, HistoryEntry.Read(r.Kind, r.Data), r.Data)).ToList();
    }
}
