using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Workflows;

public sealed class WorkflowOptions
{
    /// <summary>Folder with the definitions, workflow.schema.json and calendars/; by default the copy beside the binaries.</summary>
    public string? Path { get; set; }

    public string ResolvedPath => Path ?? System.IO.Path.Combine(AppContext.BaseDirectory, "workflows");
}

public static class WorkflowSetup
{
    /// <summary>Loads and validates every definition now, so that a bad file stops start-up with its problems listed.</summary>
    public static IServiceCollection AddWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("Workflows").Get<WorkflowOptions>() ?? new WorkflowOptions();
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(WorkflowDefinitionLoader.LoadDirectory(options.ResolvedPath));
        return services;
    }
}

public static class WorkflowEndpoints
{
    public sealed record WorkflowSummary(string Id, int Version, string Name, bool Latest);

    public sealed record WorkflowVersionResponse(WorkflowDefinition Definition, string Mermaid);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public static void MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/workflows").WithTags("Workflows").RequireAuthorization();
        group.MapGet("/", (WorkflowRegistry registry) =>
        {
            var latest = registry.All.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Max(d => d.Version));
            return TypedResults.Ok(registry.All.Select(d => new WorkflowSummary(d.Id, d.Version, d.Name, latest[d.Id] == d.Version)).ToList());
        }).WithSummary("Every published definition version; new clues start with the latest.");
        group.MapGet("/{id}/versions/{version:int}", (string id, int version, WorkflowRegistry registry) =>
        {
            var engine = registry.Find(id, version);
            return engine == null
                ? Infrastructure.Http.Problems.NotFound("没有这个流程版本")
                : TypedResults.Json(new WorkflowVersionResponse(engine.Definition, engine.ToMermaid()), Json);
        }).Produces<WorkflowVersionResponse>().WithSummary("One definition version and a Mermaid state diagram generated from it.");
    }
}
