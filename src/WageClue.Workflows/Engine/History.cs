using System.Text.Json;
using System.Text.Json.Serialization;

namespace WageClue.Workflows.Engine;

/// <summary>
/// One entry of an instance's append-only history, one record type per kind. Stored as its kind and its JSON
/// (camelCase, times in the definition's zone); read back into the same type (<see cref="Read"/>).
/// </summary>
public abstract record HistoryEntry
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    [JsonIgnore]
    public abstract string Kind { get; }

    public string ToJson() => JsonSerializer.Serialize(this, GetType(), Json);

    public static HistoryEntry Read(string kind, string json) => kind switch
    {
        Registered.KindName => JsonSerializer.Deserialize<Registered>(json, Json)!,
        ActionTaken.KindName => JsonSerializer.Deserialize<ActionTaken>(json, Json)!,
        Recomputed.KindName => JsonSerializer.Deserialize<Recomputed>(json, Json)!,
        Escalated.KindName => JsonSerializer.Deserialize<Escalated>(json, Json)!,
        _ => throw new InvalidOperationException($"Unknown history kind '{kind}'."),
    };
}

public sealed record DefinitionRef(string Id, int Version);

public sealed record PlannedDue(string Clock, DateTimeOffset DueAt, bool Provisional);

/// <summary>The instance was created; for a clue, <see cref="Channel"/> and <see cref="ReceivedAt"/> say how it came in.</summary>
public sealed record Registered(string? Channel, DateTimeOffset? ReceivedAt, DateOnly? ReceiptDay, long CalendarVersion,
    DefinitionRef Definition, IReadOnlyList<PlannedDue> Clocks) : HistoryEntry
{
    public const string KindName = "registered";
    public override string Kind => KindName;
}

public sealed record ClockMet(string Clock, bool Late, int? Round = null, bool? WithinExtension = null);

public sealed record ClockStarted(string Clock, int Round, DateTimeOffset DueAt);

public sealed record ClockPaused(string Clock, int Round, double RemainingMinutes);

public sealed record ClockResumed(string Clock, int Round, DateTimeOffset DueAt);

/// <param name="Decision">requested, approved or refused.</param>
public sealed record ExtensionChange(string Clock, int Round, int Days, string Decision, DateTimeOffset? DueBefore = null, DateTimeOffset? DueAfter = null);

/// <summary>An action with its checked fields and everything it did to the clocks.</summary>
public sealed record ActionTaken(
    IReadOnlyDictionary<string, object?> Fields,
    long? PreviousAssigneeId = null,
    string? PreviousDistrictId = null,
    IReadOnlyList<ClockMet>? ClocksMet = null,
    IReadOnlyList<string>? ClocksCancelled = null,
    IReadOnlyList<ClockStarted>? ClocksStarted = null,
    IReadOnlyList<ClockPaused>? ClocksPaused = null,
    IReadOnlyList<ClockResumed>? ClocksResumed = null,
    ExtensionChange? Extension = null) : HistoryEntry
{
    public const string KindName = "action";
    public override string Kind => KindName;

    /// <summary>A field's value as stored (JSON when read back from the database).</summary>
    public string? FieldText(string name) => Fields.GetValueOrDefault(name) switch
    {
        null => null,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
        JsonElement e => e.GetRawText(),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var o => o.ToString(),
    };
}

public sealed record DueChange(string Clock, DateTimeOffset DueBefore, DateTimeOffset DueAfter, bool ProvisionalBefore, bool ProvisionalAfter, int? Round = null);

/// <summary>A calendar upload moved deadlines.</summary>
public sealed record Recomputed(int Year, long CalendarVersion, IReadOnlyList<DueChange> Changes) : HistoryEntry
{
    public const string KindName = "recomputed";
    public override string Kind => KindName;
}

public sealed record Notified(long Id, string Name);

/// <summary>A rung of the escalation ladder was reached; who was told, who could not be (no address).</summary>
public sealed record Escalated(string Clock, int Level, string LevelName, DateTimeOffset DueAt, IReadOnlyList<Notified> Notified,
    IReadOnlyList<Notified> SkippedWithoutEmail, IReadOnlyList<string> Superseded, int? Round = null) : HistoryEntry
{
    public const string KindName = "escalated";
    public override string Kind => KindName;
}
