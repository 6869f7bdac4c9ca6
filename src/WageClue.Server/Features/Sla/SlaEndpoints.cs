using WageClue.Server.Features.Instances;
using WageClue.Workflows.Engine;
using Npgsql;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Clues;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Sla;

public static class SlaEndpoints
{
    public sealed record PreviewClock(string Clock, string Name, DateTimeOffset DueAt, bool Provisional);

    public sealed record PreviewResponse(DateTimeOffset ReceivedAt, DateOnly ReceiptDay, bool Provisional, DefinitionRef Definition,
        long CalendarVersion, IReadOnlyList<PreviewClock> Clocks);

    public static void MapSlaEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/sla/preview", PreviewAsync)
            .WithTags("SLA").RequireAuthorization()
            .Produces<PreviewResponse>().ProducesValidationProblem()
            .WithSummary("The receipt day and the deadlines the current definition would give a clue received at receivedAt (default now), without creating one.");

    private static async Task<IResult> PreviewAsync(string? receivedAt, NpgsqlDataSource db, CalendarStore calendars, ClueWorkflow workflow, TimeProvider time)
    {
        var at = time.GetUtcNow();
        if (receivedAt != null && !Timestamps.TryParseWithOffset(receivedAt, out at))
            return Problems.Invalid("receivedAt", Timestamps.FormatHint);
        var engine = workflow.CurrentEngine;
        var definition = engine.Definition;
        await using var conn = await db.OpenConnectionAsync();
        var calendar = await calendars.GetAsync(conn);
        var plan = ClockPlanner.Plan(definition, calendar, at);
        return TypedResults.Ok(new PreviewResponse(
            engine.ToLocal(at), plan.ReceiptDay.Day, plan.Clocks.Any(c => c.Provisional) || plan.ReceiptDay.Provisional,
            new DefinitionRef(definition.Id, definition.Version), calendar.Version,
            plan.Clocks.Select(c => new PreviewClock(c.Clock, c.Name, c.DueAt, c.Provisional)).ToList()));
    }
}
