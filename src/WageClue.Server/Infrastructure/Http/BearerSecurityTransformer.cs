using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace WageClue.Server.Infrastructure.Http;

/// <summary>Declares the bearer token in the OpenAPI document, so the /scalar page can send one.</summary>
public sealed class BearerSecurityTransformer : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A token from POST /api/auth/token.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
        document.Info.Title = "WageClue API";
        document.Info.Description = "欠薪线索处置：登记、受理、对接、反馈与时限 (当日受理、次日对接、3日反馈).";
        return Task.CompletedTask;
    }
}
