using Dapper;
using Npgsql;
using WageClue.Server.Features.Instances;

namespace WageClue.Server.Features.Clues;

/// <summary>A clue as the jobs show it: tracking code, employer, and the complainant (masked where it is shown).</summary>
public sealed class ClueFacts : IWorkflowSubject
{
    public string Name => ClueSubject.Name;

    public async Task<IReadOnlyDictionary<long, SubjectFacts>> FactsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyCollection<long> ids) =>
        (await conn.QueryAsync<(long Id, string TrackingCode, string EmployerName, string ComplainantName, string ComplainantPhone)>("""
            SELECT id, tracking_code, employer_name, complainant_name, complainant_phone FROM wageclue.clues WHERE id = ANY(@ids)
            """, new { ids = ids.ToArray() }, tx))
        .ToDictionary(r => r.Id, r => new SubjectFacts(r.TrackingCode, r.EmployerName, r.ComplainantName, r.ComplainantPhone));
}
