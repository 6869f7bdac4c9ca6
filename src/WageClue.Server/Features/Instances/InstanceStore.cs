using Dapper;
using Npgsql;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Instances;

/// <summary>A workflow instance as stored: what every subject (a clue, a listing case) has, whatever its facts.</summary>
public sealed class InstanceRow
{
    public long Id { get; init; }
    public string Subject { get; init; } = "";
    public string DefinitionId { get; init; } = "";
    public int DefinitionVersion { get; init; }
    public long CalendarVersion { get; init; }
    public string State { get; init; } = "";
    public string? PreviousState { get; init; }
    public int Version { get; init; }
    public string DistrictId { get; init; } = "";
    public long? AssigneeId { get; init; }
    public long? CreatedBy { get; init; }
}

public sealed record NewInstance(string Subject, string DefinitionId, int DefinitionVersion, long CalendarVersion, string State,
    string DistrictId, long? AssigneeId, long? CreatedBy);

/// <summary>The only SQL that writes workflow_instances: creation, and the compare-and-set of a transition.</summary>
public static class InstanceStore
{
    public static Task<long> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewInstance i, DateTimeOffset now) =>
        conn.ExecuteScalarAsync<long>("""
            INSERT INTO wageclue.workflow_instances (subject, definition_id, definition_version, calendar_version, state,
                district_id, assignee_id, created_by, created_at, updated_at)
            VALUES (@Subject, @DefinitionId, @DefinitionVersion, @CalendarVersion, @State, @DistrictId, @AssigneeId, @CreatedBy, @now, @now)
            RETURNING id
            """, new { i.Subject, i.DefinitionId, i.DefinitionVersion, i.CalendarVersion, i.State, i.DistrictId, i.AssigneeId, i.CreatedBy, now }, tx);

    /// <summary>
    /// Moves the instance as the decision says, only if nobody changed it since it was read (its version): of two
    /// concurrent actions at most one succeeds, and the history never shows a transition from a state it was no
    /// longer in. The previous state is kept only when the state changes (恢复 returns to it).
    /// </summary>
    /// <returns>False when the version moved on; nothing was written.</returns>
    public static async Task<bool> CompareAndSetAsync(NpgsqlConnection conn, NpgsqlTransaction tx, InstanceRow instance, Allowed decision, DateTimeOffset now)
    {
        var rows = await conn.ExecuteAsync($"""
            UPDATE wageclue.workflow_instances SET
                state = @ToState,
                previous_state = CASE WHEN @ToState <> state THEN state ELSE previous_state END,
                district_id = @DistrictId,
                {(decision.ChangesAssignee ? "assignee_id = @assignee," : "")}
                version = version + 1, updated_at = @now
            WHERE id = @Id AND version = @Version
            """, new { decision.ToState, decision.DistrictId, assignee = decision.NewAssigneeId, now, instance.Id, instance.Version }, tx);
        return rows == 1;
    }

    /// <summary>Locks the instance for this transaction if no one else holds it (the sweep's way in).</summary>
    public static async Task<bool> TryLockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id) =>
        await conn.ExecuteScalarAsync<bool?>("SELECT true FROM wageclue.workflow_instances WHERE id = @id FOR UPDATE SKIP LOCKED", new { id }, tx) == true;

    /// <summary>A calendar upload recomputed the instance's deadlines on this calendar version.</summary>
    public static Task SetCalendarVersionAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, long calendarVersion) =>
        conn.ExecuteAsync("UPDATE wageclue.workflow_instances SET calendar_version = @calendarVersion WHERE id = @id", new { id, calendarVersion }, tx);
}
