using Microsoft.AspNetCore.Http.Features;

namespace WageClue.Server.Infrastructure.Http;

public sealed class ApiOptions
{
    /// <summary>Largest request body the API accepts, in bytes; larger ones get 413. A clue is a few KB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Largest import batch (POST /api/imports), in bytes: a few hundred bytes a row, so about 100 000 rows.</summary>
    public long MaxImportBodyBytes { get; set; } = 64 * 1024 * 1024;
}

/// <summary>
/// Refuses oversized API bodies with a 413 problem before anything is read. A declared length is checked here;
/// a chunked body is cut off by the server's own limit, which this sets for the request.
/// </summary>
public sealed class RequestBodyLimitMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<ApiOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var limit = context.Request.Path.StartsWithSegments("/api/imports") ? options.Value.MaxImportBodyBytes : options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await Problems.Status(StatusCodes.Status413PayloadTooLarge, "请求体过大", $"请求体不能超过 {limit} 字节").ExecuteAsync(context);
            return;
        }
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        await next(context);
    }
}
