using Dapper;
using Npgsql;
using System.Text.Json;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Privacy;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Clues;

/// <summary>A clue as the jobs show it: tracking code, employer, and the complainant (masked where it is shown).</summary>
public sealed class ClueFacts(WorkflowRegistry workflows, PersonalData pii) : IWorkflowSubject
{
    public string Name => ClueSubject.Name;

    public async Task<IReadOnlyDictionary<long, SubjectFacts>> FactsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyCollection<long> ids) =>
        (await conn.QueryAsync<(long Id, string TrackingCode, string EmployerName, string ComplainantName, byte[] ComplainantPhone)>("""
            SELECT id, tracking_code, employer_name, complainant_name, complainant_phone_sealed FROM wageclue.clues WHERE id = ANY(@ids)
            """, new { ids = ids.ToArray() }, tx))
        .ToDictionary(r => r.Id, r => new SubjectFacts(r.TrackingCode, r.EmployerName, r.ComplainantName, pii.Open(r.ComplainantPhone), $"/clues/{r.Id}"));

    /// <summary>A clue definition with a period would have it end here; today's definitions have none.</summary>
    public async Task<Fired> FireAsSystemAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long instanceId, string action, DateTimeOffset now,
        WorkingCalendar calendar)
    {
        var clue = await conn.QuerySingleAsync<ClueRow>($"{ClueRepository.SelectClue} WHERE c.id = @instanceId", new { instanceId }, tx);
        var clocks = await ClockStore.ForInstancesAsync(conn, [instanceId], tx);
        var fired = await InstanceActions.DecideAndWriteAsync(conn, tx, workflows.Pinned(clue.DefinitionId, clue.DefinitionVersion), clue.Instance,
            clue.Snapshot(clocks), action, InstanceActions.SystemActor, new Dictionary<string, JsonElement>(), now, calendar,
            _ => Task.FromResult(new Dictionary<string, string[]>()));
        if (fired is Fired.Written w) await ClueRepository.UpdateAttributesAsync(conn, tx, instanceId, w.Decision.Updates);
        return fired;
    }
}
