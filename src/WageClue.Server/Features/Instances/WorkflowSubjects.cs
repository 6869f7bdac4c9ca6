using Npgsql;

namespace WageClue.Server.Features.Instances;

/// <summary>
/// What an escalation email or the digest says about an instance: its reference, its title, (for clues) the
/// complainant, the page's path and what the instance is called (欠薪线索, 失信联合惩戒名单案件).
/// </summary>
public sealed record SubjectFacts(string Reference, string Title, string? PersonName = null, string? PersonPhone = null, string? Path = null,
    string Noun = "欠薪线索");

/// <summary>
/// A subject of the workflow core (a clue; later an employer's listing case) tells the jobs what to say about its
/// instances. The sweep, the digest and the notices need nothing else from it.
/// </summary>
public interface IWorkflowSubject
{
    string Name { get; }

    Task<IReadOnlyDictionary<long, SubjectFacts>> FactsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, IReadOnlyCollection<long> ids);

    /// <summary>
    /// Fires <paramref name="action"/> as the system inside the sweep's transaction (a period ran out: the objection
    /// window closes, a listing's term ends), through <see cref="InstanceActions"/> like any user's action.
    /// </summary>
    Task<Fired> FireAsSystemAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long instanceId, string action, DateTimeOffset now,
        WageClue.Workflows.Calendar.WorkingCalendar calendar);
}

/// <summary>Every subject, by name.</summary>
public sealed class WorkflowSubjects(IEnumerable<IWorkflowSubject> subjects)
{
    private readonly Dictionary<string, IWorkflowSubject> _byName = subjects.ToDictionary(s => s.Name);

    public IWorkflowSubject this[string name] => _byName[name];

    /// <summary>The facts of many instances of any subjects, one query per subject.</summary>
    public async Task<IReadOnlyDictionary<long, SubjectFacts>> FactsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx,
        IEnumerable<(long Id, string Subject)> instances)
    {
        var all = new Dictionary<long, SubjectFacts>();
        foreach (var group in instances.GroupBy(i => i.Subject))
            foreach (var (id, facts) in await _byName[group.Key].FactsAsync(conn, tx, group.Select(g => g.Id).Distinct().ToList()))
                all[id] = facts;
        return all;
    }
}
