using System.Text.Json;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Instances;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;
using WageClue.Workflows.Validation;

namespace WageClue.Server.Features.Clues;

public sealed record NamedRef(string Id, string Name);

public sealed record UserRef(long Id, string DisplayName);


/// <summary>Masked: 张*, 138****1234. The full data comes only from the logged complainant endpoint.</summary>
public sealed record ComplainantMasked(string Name, string Phone, bool HasIdNumber);

public sealed record ComplainantFull(string Name, string Phone, string? IdNumber);

/// <param name="Id">The employer record the clue links to (/api/employers/{id}).</param>
public sealed record EmployerResponse(long Id, string Name, string? CreditCode);

/// <param name="OriginalDueAt">The due time before an approved extension; null when never extended.</param>
/// <param name="PausedRemainingMinutes">While paused (中止): the working minutes that were left.</param>
/// <param name="ExtensionRequestedDays">A pending 延期申请's working days.</param>
public sealed record ClockResponse(string Clock, string Name, int Round, DateTimeOffset StartedAt, DateTimeOffset DueAt, bool Provisional,
    DateTimeOffset? MetAt, string Status, int EscalationLevel, DateTimeOffset? OriginalDueAt, int Extensions,
    double? PausedRemainingMinutes, int? ExtensionRequestedDays);

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
    string? OutcomeType,
    string? Outcome,
    decimal? AmountRecovered,
    int? WorkersPaid,
    string? CaseNumber,
    string? SuspendReason,
    string? TransferReceiver,
    string? TransferReceiverName,
    string? Satisfaction,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<ClockResponse> Clocks,
    IReadOnlyList<ActionRef> AllowedActions,
    string TrackingNotice)
{
    /// <summary>Only in an intake's 201 answer: the recent clues it may repeat (as POST /api/clues/duplicates finds them).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<LikelyDuplicate>? LikelyDuplicates { get; init; }
}

public sealed record HistoryResponse(long Id, DateTimeOffset At, UserRef? Actor, string Kind, string? Action, string? ActionName,
    string? FromState, string? ToState, int Version, JsonElement Data);

/// <param name="TotalCapped">True when more than Total clues match (a search counts up to 1 000).</param>
public sealed record CluePage(IReadOnlyList<ClueResponse> Items, int Page, int PageSize, long Total, bool TotalCapped = false);

/// <summary>Turns rows into API responses: times in the definition's zone (+08:00), clock statuses as of now, personal data masked.</summary>
/// <remarks>TrackingNotice is what to tell the complainant (the code and the /track page's address, Email:BaseUrl).</remarks>
public sealed class ClueResponses(ClueWorkflow workflow, TimeProvider time, Microsoft.Extensions.Options.IOptions<Notifications.EmailOptions> email)
{
    /// <summary>An instance's clocks as the API shows them (clues and listing cases alike), in the definition's order.</summary>
    public static List<ClockResponse> Clocks(WorkflowEngine engine, IEnumerable<ClockRow> rows, DateTimeOffset now)
    {
        var order = engine.Definition.Clocks.Select(d => d.Id).ToList();
        return rows
            .OrderBy(k => order.IndexOf(k.Clock)).ThenBy(k => k.Round)
            .Select(k => new ClockResponse(k.Clock, engine.ClockName(k.Clock), k.Round, engine.ToLocal(k.StartedAt), engine.ToLocal(k.DueAt), k.Provisional,
                k.MetAt is { } m ? engine.ToLocal(m) : null, ClockStatus.Of(k.DueAt, k.MetAt, k.CancelledAt, now, k.PausedAt), k.EscalationLevel,
                k.OriginalDueAt is { } o ? engine.ToLocal(o) : null, k.Extensions,
                k.PausedAt != null ? Math.Round(k.PausedRemaining!.Value.TotalMinutes, 2) : null, k.MetAt == null ? k.ExtensionRequestDays : null))
            .ToList();
    }

    public ClueResponse ToResponse(ClueRow c, IEnumerable<ClockRow> clocks, CurrentUser caller)
    {
        var engine = EngineFor(c);
        var now = time.GetUtcNow();
        var rows = clocks.ToList();
        var clockResponses = Clocks(engine, rows, now);

        // The policy decides (role × districts × definition), for the API and the pages alike.
        var allowed = workflow.AllowedActions(c, rows, caller).Select(a => new ActionRef(a, engine.ActionName(a))).ToList();

        return new ClueResponse(
            c.Id, c.TrackingCode, c.State, engine.StateName(c.State), c.Version,
            new DefinitionRef(c.DefinitionId, c.DefinitionVersion), c.CalendarVersion,
            new NamedRef(c.Channel, Channels.Names.GetValueOrDefault(c.Channel, c.Channel)),
            new NamedRef(c.DistrictId, c.DistrictName),
            new ComplainantMasked(ChineseIdentifiers.MaskName(c.ComplainantName), ChineseIdentifiers.MaskPhone(c.ComplainantPhone), c.ComplainantIdNumber != null),
            new EmployerResponse(c.EmployerId, c.EmployerName, c.EmployerCreditCode),
            c.Industry == null ? null : new NamedRef(c.Industry, Industries.Names.GetValueOrDefault(c.Industry, c.Industry)),
            c.WorkerCount, c.AmountOwed, c.Description, engine.ToLocal(c.ReceivedAt), c.ReceiptDay,
            c.AssigneeId is { } a ? new UserRef(a, c.AssigneeName ?? "") : null,
            c.Route, c.RejectionReason, c.MergedInto, c.OutcomeType, c.Outcome, c.AmountRecovered, c.WorkersPaid,
            c.CaseNumber, c.SuspendReason, c.TransferReceiver, c.TransferReceiverName, c.Satisfaction,
            engine.ToLocal(c.CreatedAt), engine.ToLocal(c.UpdatedAt), clockResponses, allowed,
            Tracking.ProgressLookup.HowToLookUp(c.TrackingCode, email.Value.BaseUrl));
    }

    public HistoryResponse ToResponse(ClueRow clue, HistoryRecord h) => History(EngineFor(clue), h);

    /// <summary>One history row as the API shows it, for any subject's instance.</summary>
    public static HistoryResponse History(WorkflowEngine engine, HistoryRecord h)
    {
        using var data = JsonDocument.Parse(h.Json);
        return new HistoryResponse(h.Id, engine.ToLocal(h.At),
            h.ActorId is { } id ? new UserRef(id, h.ActorName ?? "") : null,
            h.Kind, h.Action, h.Action == null ? null : engine.Definition.FindAction(h.Action)?.Name,
            h.FromState, h.ToState, h.Version, data.RootElement.Clone());
    }

    private WorkflowEngine EngineFor(ClueRow c) => workflow.EngineFor(c);
}
