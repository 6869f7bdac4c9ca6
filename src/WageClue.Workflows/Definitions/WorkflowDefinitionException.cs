namespace WageClue.Workflows.Definitions;

/// <summary>A definition file that must not be used; each problem names the file, the JSON path and what is wrong.</summary>
public sealed class WorkflowDefinitionException(IReadOnlyList<string> problems)
    : Exception("Invalid workflow definition:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
