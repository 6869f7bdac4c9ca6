using System.Globalization;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Sla;

public sealed record EmailResponse(long Id, string Kind, long RecipientId, string RecipientName, string? Address, string Status,
    int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, DateTimeOffset? NextAttemptAt, string MessageId);

public sealed record EscalationResponse(long Id, long ClueId, string TrackingCode, string DistrictId, string DistrictName,
    string Clock, string ClockName, int Level, string LevelId, string LevelName, DateTimeOffset DueAt, DateTimeOffset PointAt,
    DateTimeOffset RecordedAt, bool Superseded, IReadOnlyList<EmailResponse> Emails);

public sealed record EscalationPage(IReadOnlyList<EscalationResponse> Items, int Page, int PageSize, long Total);

public sealed record EmailPage(IReadOnlyList<EmailResponse> Items, int Page, int PageSize, long Total);

public static class EscalationEndpoints
{
    public static void MapEscalationEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/clues/{id:long}/escalations", ForClueAsync).WithTags("Escalations").RequireAuthorization()
            .Produces<List<EscalationResponse>>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("The clue's escalations, newest first, each with its emails and their delivery status.");
        app.MapGet("/api/escalations", ListAsync).WithTags("Escalations").RequireAuthorization()
            .Produces<EscalationPage>().ProducesValidationProblem()
            .WithSummary("Escalations in the caller's districts; filters: status (sent, pending, failed, skipped: has such an email), district, date (YYYY-MM-DD, Beijing time), page, pageSize.");
        app.MapGet("/api/emails", EmailsAsync).WithTags("Escalations").RequireAuthorization()
            .Produces<EmailPage>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
            .WithSummary("Administrators: every outgoing email (escalations and digests) with status, attempts and the last error; filter status.");
    }

    private static async Task<IResult> ForClueAsync(long id, CurrentUser me, ClueRepository clues, EscalationRepository escalations, ClueWorkflow workflow)
    {
        var clue = await ClueEndpoints.FindReadableAsync(id, me, clues);
        if (clue == null) return ClueEndpoints.NotFound(me);
        var (rows, _) = await escalations.ListAsync(new EscalationFilter(null, null, id, null, null, null, 1, 1000));
        return TypedResults.Ok(await ToResponsesAsync(rows, escalations, workflow));
    }

    private static async Task<IResult> ListAsync(HttpContext http, CurrentUser me, EscalationRepository escalations, ClueWorkflow workflow)
    {
        var q = http.Request.Query;
        var errors = new Dictionary<string, string[]>();
        var status = ParseStatus(q["status"].FirstOrDefault(), errors);
        var district = q["district"].FirstOrDefault();
        if (district != null && AccessPolicy.Scope(me).Districts is { } readable && !readable.Contains(district)) errors["district"] = ["无权查看该区县"];
        DateTimeOffset? from = null, to = null;
        if (q["date"].FirstOrDefault() is { } d)
        {
            if (DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                var engine = workflow.CurrentEngine;
                from = engine.StartOfDay(day);
                to = engine.StartOfDay(day.AddDays(1));
            }
            else errors["date"] = ["须为 YYYY-MM-DD 格式的日期"];
        }
        var page = ClueEndpoints.ParsePositive(q["page"].FirstOrDefault(), "page", 1, int.MaxValue / ClueEndpoints.MaxPageSize, errors);
        var pageSize = ClueEndpoints.ParsePositive(q["pageSize"].FirstOrDefault(), "pageSize", 20, ClueEndpoints.MaxPageSize, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);

        var (rows, total) = await escalations.ListAsync(new EscalationFilter(AccessPolicy.Scope(me).Districts, district, null, status, from, to, page, pageSize));
        return TypedResults.Ok(new EscalationPage(await ToResponsesAsync(rows, escalations, workflow), page, pageSize, total));
    }

    private static async Task<IResult> EmailsAsync(HttpContext http, CurrentUser me, EscalationRepository escalations, ClueWorkflow workflow)
    {
        if (me.Role != Roles.Admin) return Problems.Forbidden("只有系统管理员可以查看全部邮件的发送情况");
        var q = http.Request.Query;
        var errors = new Dictionary<string, string[]>();
        var status = ParseStatus(q["status"].FirstOrDefault(), errors);
        var page = ClueEndpoints.ParsePositive(q["page"].FirstOrDefault(), "page", 1, int.MaxValue / ClueEndpoints.MaxPageSize, errors);
        var pageSize = ClueEndpoints.ParsePositive(q["pageSize"].FirstOrDefault(), "pageSize", 20, ClueEndpoints.MaxPageSize, errors);
        if (errors.Count > 0) return Problems.Invalid(errors);
        var (rows, total) = await escalations.EmailsAsync(status, page, pageSize);
        var engine = workflow.CurrentEngine;
        return TypedResults.Ok(new EmailPage(rows.Select(e => ToResponse(e, engine)).ToList(), page, pageSize, total));
    }

    private static string? ParseStatus(string? status, Dictionary<string, string[]> errors)
    {
        if (status == null || status is EmailStatus.Sent or EmailStatus.Pending or EmailStatus.Failed or EmailStatus.Skipped) return status;
        errors["status"] = ["须为 sent、pending、failed 或 skipped"];
        return null;
    }

    private static async Task<List<EscalationResponse>> ToResponsesAsync(IReadOnlyList<EscalationRow> rows, EscalationRepository escalations, ClueWorkflow workflow)
    {
        var emails = (await escalations.EmailsForAsync(rows.Select(r => r.Id).ToList())).ToLookup(e => e.EscalationId);
        return rows.Select(r =>
        {
            var engine = workflow.EngineFor(r.DefinitionId, r.DefinitionVersion);
            var level = engine.Definition.Escalation.Single(l => l.Level == r.Level);
            return new EscalationResponse(r.Id, r.ClueId, r.TrackingCode, r.DistrictId, r.DistrictName, r.Clock,
                engine.Definition.Clocks.Single(c => c.Id == r.Clock).Name, r.Level, r.LevelId, level.Name,
                engine.ToLocal(r.DueAt), engine.ToLocal(r.PointAt), engine.ToLocal(r.RecordedAt), r.Superseded,
                emails[r.Id].Select(e => ToResponse(e, engine)).ToList());
        }).ToList();
    }

    private static EmailResponse ToResponse(EmailRow e, WorkflowEngine engine) =>
        new(e.Id, e.Kind, e.RecipientId, e.RecipientName, e.ToAddress, e.Status, e.Attempts, e.LastError, engine.ToLocal(e.CreatedAt),
            e.SentAt is { } s ? engine.ToLocal(s) : null,
            e.Status is EmailStatus.Pending or EmailStatus.Sending ? engine.ToLocal(e.NextAttemptAt) : null, e.MessageId);
}
