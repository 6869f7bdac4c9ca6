using WageClue.Workflows.Validation;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Features.Instances;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Clues;

public abstract record ActionOutcome
{
    public sealed record Done(ClueRow Clue, IReadOnlyList<ClockRow> Clocks) : ActionOutcome;
    public sealed record Refusal(Refused Reason) : ActionOutcome;
    public sealed record BadReferences(Dictionary<string, string[]> Errors) : ActionOutcome;
    public sealed record VersionMovedOn : ActionOutcome;
    /// <summary>The caller may read the clue but not act on it (another district, a leader given none, an integration account).</summary>
    public sealed record NotPermitted(string Message) : ActionOutcome;
}

/// <summary>
/// Registers clues and fires actions: the engine decides from the clue's pinned definition, the policy from the
/// caller's districts, this class checks what needs the database and writes in one transaction. Used by the API,
/// the pages and the demo data, so all take one path.
/// </summary>
public sealed class ClueWorkflow(NpgsqlDataSource db, WorkflowRegistry workflows, CalendarStore calendars, ClueRepository clues,
    UserRepository users, Districts.DistrictRepository districts, ActionNotices notices, TimeProvider time, IOptions<ClueOptions> options,
    Privacy.PersonalData pii)
{
    /// <summary>The engine new clues start with: the highest version of the configured definition.</summary>
    public WorkflowEngine CurrentEngine => workflows.Latest(options.Value.DefinitionId);

    public WorkflowDefinition CurrentDefinition => CurrentEngine.Definition;

    public async Task<IntakeResult> RegisterAsync(ValidIntake intake, CurrentUser by, string? idempotencyKey, byte[] requestHash)
    {
        var engine = CurrentEngine;
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CalendarRepository.LockSharedAsync(conn, tx);
        var calendar = await calendars.GetAsync(conn, tx);
        var districtName = (await districts.ListAsync()).FirstOrDefault(d => d.Id == intake.DistrictId)?.Name ?? "";
        return await ClueRepository.InsertAsync(conn, tx, intake, pii, engine, calendar, by.Id, idempotencyKey, requestHash, time.GetUtcNow(), districtName);
    }

    /// <summary>The actions the caller may take on the clue now (the policy and the definition together).</summary>
    public IReadOnlyList<string> AllowedActions(ClueRow clue, IEnumerable<ClockRow> clocks, CurrentUser caller) =>
        AccessPolicy.AllowedActions(caller, EngineFor(clue), clue.Snapshot(clocks), time.GetUtcNow());

    /// <param name="clocks">The clue's clocks as read with it; read here when not given.</param>
    public async Task<ActionOutcome> FireAsync(ClueRow clue, string action, CurrentUser actor, IReadOnlyDictionary<string, JsonElement> fields,
        IReadOnlyList<ClockRow>? clocks = null)
    {
        var engine = EngineFor(clue);
        if (engine.Definition.FindAction(action) is { } known && known.Roles.Contains(actor.Role) && !AccessPolicy.CanActIn(actor, clue.DistrictId))
            return new ActionOutcome.NotPermitted($"{Roles.ChineseName(actor.Role)}只能办理本人所属区县的线索");
        clocks ??= await clues.ClocksAsync([clue.Id]);
        if (await ClueCodesToIdsAsync(engine.Definition.FindAction(action), fields, actor) is var (resolved, codeErrors) && codeErrors.Count > 0)
            return new ActionOutcome.BadReferences(codeErrors);
        fields = resolved;
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        // Deadlines are computed on the calendar a concurrent upload cannot replace until this transaction ends.
        await CalendarRepository.LockSharedAsync(conn, tx);
        var calendar = await calendars.GetAsync(conn, tx);
        var definition = engine.Definition.FindAction(action);
        var fired = await InstanceActions.DecideAndWriteAsync(conn, tx, engine, clue.Instance, clue.Snapshot(clocks), action, new Actor(actor.Id, actor.Role),
            fields, now, calendar, allowed => CheckReferencesAsync(definition!, allowed, clue, actor));
        if (fired is not Fired.Written (var allowed, var after))
            return fired switch
            {
                Fired.Refusal r => new ActionOutcome.Refusal(r.Reason),
                Fired.BadReferences b => new ActionOutcome.BadReferences(b.Errors),
                _ => new ActionOutcome.VersionMovedOn(), // disposing the transaction rolls it back
            };
        var facts = await ClueRepository.UpdateAttributesAsync(conn, tx, clue.Id, allowed.Updates);
        var updated = await Updated(clue, facts ?? clue, allowed, actor, now);
        if (allowed.Notify.Count > 0) await notices.QueueAsync(conn, tx, engine, updated, action, allowed, actor, now);
        await tx.CommitAsync();
        if (allowed.Notify.Count > 0) notices.SendSoon();
        return new ActionOutcome.Done(updated, after);
    }

    /// <summary>
    /// A clue field (合并到线索) may name the clue by the tracking code a caseworker sees, not only by its id: a code
    /// the caller may read becomes the id the engine validates; an unknown one is a field error.
    /// </summary>
    private async Task<(IReadOnlyDictionary<string, JsonElement> Fields, Dictionary<string, string[]> Errors)> ClueCodesToIdsAsync(
        ActionDefinition? action, IReadOnlyDictionary<string, JsonElement> fields, CurrentUser actor)
    {
        var errors = new Dictionary<string, string[]>();
        var result = new Dictionary<string, JsonElement>(fields);
        foreach (var field in action?.FieldList.Where(f => f.Type == FieldTypes.Clue) ?? [])
        {
            if (!fields.TryGetValue(field.Name, out var value) || value.ValueKind != JsonValueKind.String) continue;
            var code = ChineseIdentifiers.Normalize(value.GetString())!;
            if (code.Length == 0) continue;
            var target = await clues.FindByTrackingCodeAsync(code);
            if (target == null || !AccessPolicy.CanRead(actor, target.DistrictId, target.CreatedBy)) errors[field.Name] = [$"没有线索编号为 {code} 的线索"];
            else result[field.Name] = JsonSerializer.SerializeToElement(target.Id);
        }
        return (result, errors);
    }

    public WorkflowEngine EngineFor(ClueRow c) => EngineFor(c.DefinitionId, c.DefinitionVersion);

    public WorkflowEngine EngineFor(string definitionId, int version) => workflows.Pinned(definitionId, version);

    /// <summary>
    /// The clue as the transaction left it, without reading it back: its facts as the attribute update returned them
    /// (or as they were), with the instance's columns as the decision moved them.
    /// </summary>
    private async Task<ClueRow> Updated(ClueRow before, ClueRow facts, Allowed d, CurrentUser actor, DateTimeOffset now)
    {
        var assigneeId = d.ChangesAssignee ? d.NewAssigneeId : before.AssigneeId;
        var assigneeName = !d.ChangesAssignee ? before.AssigneeName
            : assigneeId == actor.Id ? actor.DisplayName
            : assigneeId is { } a ? (await users.FindByIdAsync(a))?.DisplayName : null;
        var districtName = d.DistrictId == before.DistrictId ? before.DistrictName
            : (await districts.ListAsync()).FirstOrDefault(x => x.Id == d.DistrictId)?.Name ?? d.DistrictId;
        return facts with
        {
            // The update returns the sealed columns; the opened ones come from the clue as read.
            ComplainantPhone = before.ComplainantPhone, ComplainantIdNumber = before.ComplainantIdNumber,
            DefinitionId = before.DefinitionId, DefinitionVersion = before.DefinitionVersion, CalendarVersion = before.CalendarVersion,
            DistrictId = d.DistrictId, DistrictName = districtName, State = d.ToState,
            PreviousState = d.ToState != before.State ? before.State : before.PreviousState, Version = before.Version + 1,
            AssigneeId = assigneeId, AssigneeName = assigneeName, CreatedBy = before.CreatedBy, CreatedAt = before.CreatedAt,
            UpdatedAt = now.AddTicks(-(now.Ticks % 10)), // what PostgreSQL keeps (microseconds)
        };
    }

    /// <summary>What the pure engine cannot know: that a named user may hold the clue, that a target clue or district exists.</summary>
    private async Task<Dictionary<string, string[]>> CheckReferencesAsync(ActionDefinition action, Allowed allowed, ClueRow clue, CurrentUser actor)
    {
        var errors = new Dictionary<string, string[]>();
        await InstanceActions.CheckUsersAsync(action, allowed, clue.Instance, clue.DistrictName, "线索", actor, users, errors);
        foreach (var field in action.FieldList.Where(f => allowed.Fields.ContainsKey(f.Name)))
        {
            if (field.Type == FieldTypes.District && (await districts.ListAsync()).All(d => d.Id != (string)allowed.Fields[field.Name]!))
                errors[field.Name] = [$"没有这个{field.Label}"];
            if (field.Type == FieldTypes.Clue)
            {
                var targetId = (long)allowed.Fields[field.Name]!;
                var target = targetId == clue.Id ? null : await clues.FindAsync(targetId);
                if (target == null || !AccessPolicy.CanRead(actor, target.DistrictId, target.CreatedBy) || target.DistrictId != clue.DistrictId)
                    errors[field.Name] = [$"{field.Label}不存在"];
                else if (EngineFor(target).Definition.IsFinal(target.State)) errors[field.Name] = [$"{field.Label}已结束，不能合并到该线索"];
            }
        }
        return errors;
    }
}
