namespace WageClue.Server.Infrastructure.Http;

/// <summary>
/// Headers on every response. Our pages get a Content-Security-Policy without inline scripts (every script is a
/// file the service serves, so text a user typed can never run) and may not be framed. Styles may be inline because
/// the chart and diagram libraries write style attributes. The Hangfire dashboard and the API reference are
/// third-party pages with inline scripts of their own; their policy only forbids framing (clickjacking the
/// dashboard's 删除/重试 buttons). Answers of the API and the pages are about people and cases: no cache may keep
/// them (<c>no-store</c>), unless the endpoint set its own caching (the static files do).
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string ThirdPartyPolicy = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";

    public Task InvokeAsync(HttpContext context)
    {
        // Set as the answer starts, not now: the exception handler clears the headers of a failed request, and a 503
        // during a database outage must carry them like every other answer.
        context.Response.OnStarting(() =>
        {
            Apply(context);
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        var path = context.Request.Path;
        headers.ContentSecurityPolicy = path.StartsWithSegments("/hangfire") || path.StartsWithSegments("/scalar") ? ThirdPartyPolicy : Policy;
        if (string.IsNullOrEmpty(headers.CacheControl)) headers.CacheControl = "no-store";
    }
}
