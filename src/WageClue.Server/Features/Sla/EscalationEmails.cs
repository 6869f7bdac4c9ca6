using Microsoft.Extensions.Options;
using WageClue.Server.Features.Notifications;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Validation;
using WageClue.Server.Infrastructure;

namespace WageClue.Server.Features.Sla;

/// <summary>What an escalation email says about its clue and clock.</summary>
/// <param name="Overdue">Working time past the deadline (the calendar's, as the deadline was counted), negative before it.</param>
/// <param name="WorkingDay">The length of a working day, so that the email says "1个工作日2小时" as the pages do.</param>
public sealed record EscalationFacts(
    long ClueId, string TrackingCode, string Employer, string StateName, string DistrictName, string? AssigneeName,
    string ComplainantName, string ComplainantPhone, string ClockId, string ClockName, DateTimeOffset DueLocal, TimeSpan Overdue, TimeSpan WorkingDay, int Round = 1,
    string? Path = null, string Noun = "欠薪线索");

/// <summary>
/// Fills the escalation template. Only masked personal data goes in (张*, 138****1234); the ID number is not even
/// handed to the template, so no edit of it can leak one.
/// </summary>
public sealed class EscalationEmails(EmailTemplates templates, IOptions<EmailOptions> options)
{
    public QueuedEmail For(long escalationId, EscalationFacts f, EscalationLevelDefinition level, Recipient to)
    {
        var model = new Dictionary<string, object?>
        {
            ["recipient"] = new Dictionary<string, object?> { ["name"] = to.DisplayName },
            ["level"] = new Dictionary<string, object?> { ["id"] = level.Id, ["name"] = level.Name, ["number"] = level.Level },
            ["clock"] = new Dictionary<string, object?>
            {
                ["id"] = f.ClockId,
                ["name"] = f.ClockName,
                ["due_at"] = Display.Time(f.DueLocal),
                ["overdue"] = f.Overdue >= TimeSpan.Zero,
                ["overdue_by"] = f.Overdue >= TimeSpan.Zero ? Display.WorkingTime(f.Overdue, f.WorkingDay) : "",
                ["time_left"] = f.Overdue < TimeSpan.Zero ? Display.WorkingTime(-f.Overdue, f.WorkingDay) : "",
            },
            ["clue"] = ClueModel(f.ClueId, f.TrackingCode, f.Employer, f.StateName, f.DistrictName, f.AssigneeName, options.Value.BaseUrl,
                f.ComplainantName.Length > 0 ? ChineseIdentifiers.MaskName(f.ComplainantName) : null,
                f.ComplainantPhone.Length > 0 ? ChineseIdentifiers.MaskPhone(f.ComplainantPhone) : null, f.Path, f.Noun),
        };
        var o = options.Value;
        return new QueuedEmail(EmailKinds.Escalation, escalationId, null, to, templates.Render(EmailTemplates.Escalation, model),
            MessageIds.ForEscalation(f.ClueId, f.ClockId, level.Level, to.Id, o.ResolvedMessageIdDomain, f.Round));
    }

    /// <summary>The instance as both templates see it (a clue, or a listing case: its noun says which); personal data arrives masked.</summary>
    public static Dictionary<string, object?> ClueModel(long id, string trackingCode, string employer, string state, string district,
        string? assignee, string baseUrl, string? maskedName = null, string? maskedPhone = null, string? path = null, string noun = "欠薪线索") => new()
        {
            ["kind"] = noun,
            ["is_clue"] = path == null || path.StartsWith("/clues/", StringComparison.Ordinal),
            ["id"] = id,
            ["tracking_code"] = trackingCode,
            ["employer"] = employer,
            ["state"] = state,
            ["district"] = district,
            ["assignee"] = assignee ?? "未分派",
            ["complainant_name"] = maskedName ?? "",
            ["complainant_phone"] = maskedPhone ?? "",
            ["url"] = path != null ? $"{baseUrl.TrimEnd('/')}{path}" : Display.ClueUrl(baseUrl, id),
        };
}
