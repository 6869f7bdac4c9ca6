using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Sla;
using WageClue.Server.Infrastructure;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Validation;

namespace WageClue.Server.Features.Notifications;

/// <summary>
/// The emails an action sends at once (the definition's "notify"): 督办 tells the assignee, 移交 the receiving
/// district's supervisors. Queued in the action's transaction, keyed by the instance and its new version, so an
/// action's notice exists exactly when the action does and never twice.
/// </summary>
public sealed class ActionNotices(EmailTemplates templates, IBackgroundJobClient jobs, IOptions<EmailOptions> options)
{
    public async Task QueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, WorkflowEngine engine, ClueRow clue, string action,
        Allowed decision, CurrentUser actor, DateTimeOffset now)
    {
        var recipients = (await RecipientDirectory.LoadAsync(conn, tx)).Resolve(decision.Notify, clue.DistrictId, clue.AssigneeId)
            .Where(r => r.Id != actor.Id).ToList();
        var key = $"{clue.Id}.v{clue.Version}";
        var lines = engine.Definition.FindAction(action)!.FieldList
            .Where(f => decision.Fields.ContainsKey(f.Name) && f.Type is not WageClue.Workflows.Definitions.FieldTypes.District)
            .Select(f => $"{f.Label}：{Label(f, decision.Entry.FieldText(f.Name))}").ToList();
        var replyDue = decision.Clocks.OfType<StartClock>().FirstOrDefault();
        foreach (var to in recipients)
        {
            var model = new Dictionary<string, object?>
            {
                ["recipient"] = new Dictionary<string, object?> { ["name"] = to.DisplayName },
                ["actor"] = new Dictionary<string, object?> { ["name"] = actor.DisplayName },
                ["action"] = new Dictionary<string, object?> { ["id"] = action, ["name"] = engine.ActionName(action) },
                ["lines"] = lines,
                ["reply_due_at"] = replyDue == null ? "" : Display.Time(engine.ToLocal(replyDue.DueAt)),
                ["clue"] = EscalationEmails.ClueModel(clue.Id, clue.TrackingCode, clue.EmployerName, engine.StateName(clue.State), clue.DistrictName,
                    clue.AssigneeName, options.Value.BaseUrl, ChineseIdentifiers.MaskName(clue.ComplainantName), ChineseIdentifiers.MaskPhone(clue.ComplainantPhone)),
            };
            await Outbox.QueueAsync(conn, tx, new QueuedEmail(EmailKinds.Notice, null, null, to, templates.Render(EmailTemplates.Notice, model),
                MessageIds.ForNotice(key, to.Id, options.Value.ResolvedMessageIdDomain), key), now);
        }
    }

    /// <summary>After the action's commit: the outbox job picks the notice up now rather than at its next minute.</summary>
    public void SendSoon() => jobs.Enqueue<OutboxSender>(s => s.DrainAsync(CancellationToken.None));

    private static string Label(WageClue.Workflows.Definitions.FieldDefinition f, string? value) =>
        f.Options?.FirstOrDefault(o => o.Value == value)?.Label ?? value ?? "";
}
