using WageClue.Server.Infrastructure.Http;

namespace WageClue.Server.Features.Tracking;

/// <summary>The complainant's progress lookup as an API (ProgressLookup says what it shows): anonymous and rate limited.</summary>
public static class TrackingEndpoints
{
    public sealed record ProgressResponse(string TrackingCode, string State, string StateName, string District, DateOnly ReceiptDay,
        IReadOnlyList<ProgressStep> Progress);

    public static void MapTrackingEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/track/{trackingCode}", LookUpAsync)
            .WithTags("Tracking")
            .WithSummary("A complainant's progress lookup by tracking code and the last 4 digits of their phone (phoneLast4), without login; shows no personal data.")
            .Produces<ProgressResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AllowAnonymous();

    private static async Task<IResult> LookUpAsync(string trackingCode, string? phoneLast4, ProgressLookup lookup, HttpContext http,
        SharedRateLimits limits, Microsoft.Extensions.Options.IOptions<Infrastructure.AuthOptions> options)
    {
        var verdict = await limits.TakeAsync(SharedRateLimits.Tracking, SharedRateLimits.AddressOf(http), options.Value.TrackingLookupsPerMinute);
        if (!verdict.Allowed) return SharedRateLimits.TooMany(http, verdict);
        return await lookup.LookUpAsync(trackingCode, phoneLast4) switch
        {
            ProgressLookup.Result.Found { Progress: var p } => TypedResults.Ok(new ProgressResponse(p.TrackingCode, p.State, p.StateName, p.District, p.ReceiptDay, p.Steps)),
            ProgressLookup.Result.Invalid invalid => Problems.Invalid(invalid.Errors),
            _ => Problems.NotFound("查询码或手机号后4位不正确"),
        };
    }
}
