using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Districts;

public sealed record DistrictResponse(string Id, string Name, string Kind);

/// <summary>
/// The districts are reference data that only a migration changes, and migrations run before the server takes
/// requests: read once per process instead of on every intake.
/// </summary>
public sealed class DistrictRepository(NpgsqlDataSource db)
{
    // Set only after a successful read, so a database hiccup on the first call is not remembered; two first calls at
    // once both read, which is harmless.
    private volatile IReadOnlyList<DistrictResponse>? _all;

    public async Task<IReadOnlyList<DistrictResponse>> ListAsync()
    {
        if (_all is { } all) return all;
        await using var conn = await db.OpenConnectionAsync();
        return _all = (await conn.QueryAsync<DistrictResponse>("SELECT id, name, kind FROM wageclue.districts ORDER BY sort_order")).AsList();
    }
}

public static class DistrictEndpoints
{
    public static void MapDistrictEndpoints(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/districts", async (DistrictRepository districts) => TypedResults.Ok(await districts.ListAsync()))
            .WithTags("Districts")
            .WithSummary("Zibo's districts and counties (administrative codes) and the three functional zones.")
            .RequireAuthorization();
}
