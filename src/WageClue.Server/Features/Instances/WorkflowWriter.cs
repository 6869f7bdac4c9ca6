using Npgsql;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Instances;

/// <summary>
/// Applies an allowed decision inside the caller's transaction: the compare-and-set of the instance, the clock
/// effects, the history entry. The subject adds its own attribute updates to the same transaction.
/// </summary>
public static class WorkflowWriter
{
    /// <returns>The instance's clocks after the effects, or null when the version moved on (nothing written).</returns>
    public static async Task<IReadOnlyList<ClockRow>?> ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, InstanceRow instance,
        string action, Allowed decision, long? actorId, DateTimeOffset now)
    {
        if (!await InstanceStore.CompareAndSetAsync(conn, tx, instance, decision, now)) return null;
        var clocks = await ClockStore.ApplyAsync(conn, tx, instance.Id, decision.DistrictId, decision.Clocks, action, now);
        await HistoryStore.AppendAsync(conn, tx, instance.Id, instance.Version + 1, actorId, decision.Entry, now, action, decision.FromState, decision.ToState);
        return clocks;
    }
}
