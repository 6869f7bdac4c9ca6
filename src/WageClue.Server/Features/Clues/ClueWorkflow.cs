using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Clues;

public abstract record ActionOutcome
{
    public sealed record Done(ClueRow Clue, IReadOnlyList<ClockRow> Clocks) : ActionOutcome;
    public sealed record Refusal(Refused Reason) : ActionOutcome;
    public sealed record BadReferences(Dictionary<string, string[]> Errors) : ActionOutcome;
    public sealed record VersionMovedOn : ActionOutcome;
}

/// <summary>
/// Registers clues and fires actions: the engine decides from the clue's pinned definition, this class checks what
/// needs the database and writes in one transaction. Used by the API and by the demo data, so both take one path.
/// </summary>
public sealed class ClueWorkflow(NpgsqlDataSource db, WorkflowRegistry workflows, CalendarStore calendars, ClueRepository clues,
    UserRepository users, Districts.DistrictRepository districts, TimeProvider time, IOptions<ClueOptions> options)
{
    /// <summary>The engine new clues start with: the highest version of the configured definition.</summary>
    public WorkflowEngine CurrentEngine => workflows.Latest(options.Value.DefinitionId);

    public WorkflowDefinition CurrentDefinition => CurrentEngine.Definition;

    public async Task<IntakeResult> RegisterAsync(ValidIntake intake, CurrentUser by, string? idempotencyKey, byte[] requestHash)
    {
        var definition = CurrentDefinition;
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CalendarRepository.LockSharedAsync(conn, tx);
        var calendar = await calendars.GetAsync(conn, tx);
        var plan = ClockPlanner.Plan(definition, calendar, intake.ReceivedAt);
        var districtName = (await districts.ListAsync()).FirstOrDefault(d => d.Id == intake.DistrictId)?.Name ?? "";
        return await ClueRepository.InsertAsync(conn, tx, intake, definition.Id, definition.Version, definition.InitialState,
            calendar.Version, plan, by.Id, idempotencyKey, requestHash, time.GetUtcNow(), districtName);
    }

    public async Task<ActionOutcome> FireAsync(ClueRow clue, string action, CurrentUser actor, IReadOnlyDictionary<string, JsonElement> fields)
    {
        var engine = EngineFor(clue);
        var decision = engine.Decide(clue.State, action, new Actor(actor.Id, actor.Role), fields);
        if (decision is Refused refused) return new ActionOutcome.Refusal(refused);
        var allowed = (Allowed)decision;

        var errors = await CheckReferencesAsync(engine.Definition.FindAction(action)!, allowed, clue, actor);
        if (errors.Count > 0) return new ActionOutcome.BadReferences(errors);

        if (!await clues.ApplyAsync(clue, action, allowed, actor.Id, time.GetUtcNow()))
            return new ActionOutcome.VersionMovedOn();
        var (updated, clocks) = (await clues.FindWithClocksAsync(clue.Id))!.Value;
        return new ActionOutcome.Done(updated, clocks);
    }

    public WorkflowEngine EngineFor(ClueRow c) => EngineFor(c.DefinitionId, c.DefinitionVersion);

    public WorkflowEngine EngineFor(string definitionId, int version) => workflows.Pinned(definitionId, version);

    /// <summary>What the pure engine cannot know: that a named user may hold the clue, that a target clue exists.</summary>
    private async Task<Dictionary<string, string[]>> CheckReferencesAsync(ActionDefinition action, Allowed allowed, ClueRow clue, CurrentUser actor)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var field in action.FieldList.Where(f => allowed.Fields.ContainsKey(f.Name)))
        {
            if (field.Type == FieldTypes.User && !await users.CanBeAssignedAsync((long)allowed.Fields[field.Name]!, clue.DistrictId))
                errors[field.Name] = [$"{field.Label}须为{clue.DistrictName}在岗的经办人或负责人"];
            if (field.Type == FieldTypes.Clue)
            {
                var targetId = (long)allowed.Fields[field.Name]!;
                var target = targetId == clue.Id ? null : await clues.FindAsync(targetId);
                if (target == null || !actor.CanReadClues(target.DistrictId)) errors[field.Name] = [$"{field.Label}不存在"];
                else if (EngineFor(target).Definition.IsFinal(target.State)) errors[field.Name] = [$"{field.Label}已结束，不能合并到该线索"];
            }
        }
        return errors;
    }
}
