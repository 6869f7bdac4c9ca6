using WageClue.Workflows.Engine;

namespace WageClue.Workflows.Definitions;

/// <summary>Every published version of every definition, with one engine each. Immutable after start-up.</summary>
public sealed class WorkflowRegistry
{
    private readonly Dictionary<(string Id, int Version), WorkflowEngine> _engines;

    public WorkflowRegistry(IEnumerable<WorkflowDefinition> definitions)
    {
        _engines = definitions.ToDictionary(d => (d.Id, d.Version), d => new WorkflowEngine(d));
    }

    public IEnumerable<WorkflowDefinition> All =>
        _engines.Values.Select(e => e.Definition).OrderBy(d => d.Id, StringComparer.Ordinal).ThenBy(d => d.Version);

    public WorkflowEngine? Find(string id, int version) => _engines.GetValueOrDefault((id, version));

    /// <summary>The engine a clue is pinned to; missing means someone deleted a published file, which must stop the work.</summary>
    public WorkflowEngine Pinned(string id, int version) =>
        Find(id, version)
        ?? throw new InvalidOperationException($"A clue is pinned to {id} v{version}, which is not loaded: never delete a published definition file.");

    /// <summary>The version new clues start with: the highest published one.</summary>
    public WorkflowEngine Latest(string id) =>
        _engines.Values.Where(e => e.Definition.Id == id).MaxBy(e => e.Definition.Version)
        ?? throw new InvalidOperationException($"No workflow definition '{id}' is loaded.");
}
