using System.Text.Json;
using WageClue.Server.Features.Accounts;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;
using WageClue.Workflows.Validation;

namespace WageClue.Server.Features.Clues;

public sealed record NamedRef(string Id, string Name);

public sealed record UserRef(long Id, string DisplayName);

public sealed record DefinitionRef(string Id, int Version);

/// <summary>Masked: 张*, 138****1234. The full data comes only from the logged complainant endpoint.</summary>
public sealed record ComplainantMasked(string Name, string Phone, bool HasIdNumber);

public sealed record ComplainantFull(string Name, string Phone, string? IdNumber);

public sealed record EmployerResponse(string Name, string? CreditCode);

public sealed record ClockResponse(string Clock, string Name, DateTimeOffset DueAt, bool Provisional, DateTimeOffset? MetAt, string Status, int EscalationLevel);

public sealed record ActionRef(string Action, string Name);

public sealed record ClueResponse(
    long Id,
    string TrackingCode,
    string State,
    string StateName,
    int Version,
    DefinitionRef Definition,
    long CalendarVersion,
    NamedRef Channel,
    NamedRef District,
    ComplainantMasked Complainant,
    EmployerResponse Employer,
    NamedRef? Industry,
    int WorkerCount,
    decimal AmountOwed,
    string Description,
    DateTimeOffset ReceivedAt,
    DateOnly ReceiptDay,
    UserRef? Assignee,
    string? Route,
    string? RejectionReason,
    long? MergedInto,
    string? Outcome,
    decimal? AmountRecovered,
    int? WorkersPaid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ClockResponse> Clocks,
    IReadOnlyList<ActionRef> AllowedActions);

public sealed record HistoryResponse(long Id, DateTimeOffset At, UserRef? Actor, string Kind, string? Action, string? ActionName,
    string? FromState, string? ToState, int Version, JsonElement Data);

public sealed record CluePage(IReadOnlyList<ClueResponse> Items, int Page, int PageSize, long Total);

/// <summary>Turns rows into API responses: times in the definition's zone (+08:00), clock statuses as of now, personal data masked.</summary>
public sealed class ClueResponses(ClueWorkflow workflow, TimeProvider time)
{
    public ClueResponse ToResponse(ClueRow c, IEnumerable<ClockRow> clocks, CurrentUser caller)
    {
        var engine = EngineFor(c);
        var now = time.GetUtcNow();
        var byId = clocks.ToDictionary(k => k.Clock);

        var clockResponses = engine.Definition.Clocks
            .Where(def => byId.ContainsKey(def.Id))
            .Select(def =>
            {
                var k = byId[def.Id];
                return new ClockResponse(k.Clock, def.Name, engine.ToLocal(k.DueAt), k.Provisional, k.MetAt is { } m ? engine.ToLocal(m) : null,
                    ClockStatus.Of(k.DueAt, k.MetAt, k.CancelledAt, now), k.EscalationLevel);
            }).ToList();

        // Only the people who work the clue's district may act on it; a leader reads, and gets no buttons.
        var allowed = caller.Role is Roles.Caseworker or Roles.Supervisor && caller.IsIn(c.DistrictId)
            ? engine.AllowedActions(c.State, caller.Role).Select(a => new ActionRef(a, engine.Definition.FindAction(a)!.Name)).ToList()
            : [];

        return new ClueResponse(
            c.Id, c.TrackingCode, c.State, engine.StateName(c.State), c.Version,
            new DefinitionRef(c.DefinitionId, c.DefinitionVersion), c.CalendarVersion,
            new NamedRef(c.Channel, Channels.Names.GetValueOrDefault(c.Channel, c.Channel)),
            new NamedRef(c.DistrictId, c.DistrictName),
            new ComplainantMasked(ChineseIdentifiers.MaskName(c.ComplainantName), ChineseIdentifiers.MaskPhone(c.ComplainantPhone), c.ComplainantIdNumber != null),
            new EmployerResponse(c.EmployerName, c.EmployerCreditCode),
            c.Industry == null ? null : new NamedRef(c.Industry, Industries.Names.GetValueOrDefault(c.Industry, c.Industry)),
            c.WorkerCount, c.AmountOwed, c.Description, engine.ToLocal(c.ReceivedAt), c.ReceiptDay,
            c.AssigneeId is { } a ? new UserRef(a, c.AssigneeName ?? "") : null,
            c.Route, c.RejectionReason, c.MergedInto, c.Outcome, c.AmountRecovered, c.WorkersPaid,
            engine.ToLocal(c.CreatedAt), engine.ToLocal(c.UpdatedAt), clockResponses, allowed);
    }

    public HistoryResponse ToResponse(ClueRow clue, HistoryRow h)
    {
        var engine = EngineFor(clue);
        using var data = JsonDocument.Parse(h.Data);
        return new HistoryResponse(h.Id, engine.ToLocal(h.At),
            h.ActorId is { } id ? new UserRef(id, h.ActorName ?? "") : null,
            h.Kind, h.Action, h.Action == null ? null : engine.Definition.FindAction(h.Action)?.Name,
            h.FromState, h.ToState, h.ClueVersion, data.RootElement.Clone());
    }

    private WorkflowEngine EngineFor(ClueRow c) => workflow.EngineFor(c);
}
