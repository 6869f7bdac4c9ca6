using System.Text.RegularExpressions;
using WageClue.Server.Features.Clues;
using WageClue.Server.Infrastructure.Http;

namespace WageClue.Server.Features.Tracking;

/// <summary>
/// The complainant's progress lookup (like the national platform's 进度查询): anonymous, by tracking code, rate
/// limited, and showing nobody's personal data: no names, phones, assignee or employer, only what happened and when.
/// </summary>
public static partial class TrackingEndpoints
{
    public const string RateLimit = "tracking";

    public sealed record ProgressStep(DateTimeOffset At, string Event, string? Detail);

    public sealed record ProgressResponse(string TrackingCode, string State, string StateName, string District, DateOnly ReceiptDay,
        IReadOnlyList<ProgressStep> Progress);

    public static void MapTrackingEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/track/{trackingCode}", LookUpAsync)
            .WithTags("Tracking")
            .WithSummary("A complainant's progress lookup by tracking code, without login; shows no personal data.")
            .Produces<ProgressResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(RateLimit)
            .AllowAnonymous();

    private static async Task<IResult> LookUpAsync(string trackingCode, ClueRepository clues, ClueWorkflow workflow)
    {
        var code = trackingCode.Trim().ToUpperInvariant();
        if (!CodePattern().IsMatch(code)) return Problems.Invalid("trackingCode", "查询码格式不正确（ZB 开头，共 12 位）");
        var clue = await clues.FindByTrackingCodeAsync(code);
        if (clue == null) return Problems.NotFound("没有这个查询码对应的线索");

        var engine = workflow.EngineFor(clue);
        var steps = new List<ProgressStep>();
        foreach (var h in await clues.HistoryAsync(clue.Id))
        {
            var at = engine.ToLocal(h.At);
            if (h.Kind == "registered") steps.Add(new ProgressStep(at, "已登记", null));
            else if (h.Kind == "action" && h.FromState != h.ToState)
                steps.Add(new ProgressStep(at, engine.StateName(h.ToState!), h.ToState == "rejected" ? clue.RejectionReason : null));
            else if (h.Kind == "action" && h.Action == "feedback") steps.Add(new ProgressStep(at, "已告知处理进展", null));
            // Reassignments and recomputed deadlines are the bureau's internal business.
        }
        return TypedResults.Ok(new ProgressResponse(clue.TrackingCode, clue.State, engine.StateName(clue.State), clue.DistrictName, clue.ReceiptDay, steps));
    }

    [GeneratedRegex("^ZB[2-9A-HJ-NP-Z]{10}$")]
    private static partial Regex CodePattern();
}
