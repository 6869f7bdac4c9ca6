using Dapper;
using Npgsql;

namespace WageClue.Server.Features.Districts;

public sealed record DistrictResponse(string Id, string Name, string Kind);

public sealed class DistrictRepository(NpgsqlDataSource db)
{
    public async Task<IReadOnlyList<DistrictResponse>> ListAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        return (await conn.QueryAsync<DistrictResponse>("SELECT id, name, kind FROM wageclue.districts ORDER BY sort_order")).AsList();
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
