using System.Net;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace WageClue.Server.Infrastructure.Http;

/// <summary>
/// What a request answers when PostgreSQL fails it, instead of ASP.NET Core's English "An error occurred":
/// <list type="bullet">
/// <item>the database cannot be reached (down, restarting, our connections terminated, the pool exhausted): 503 in
/// Chinese with Retry-After, so that a client, the hotline system or a browser user, tries again and loses nothing;</item>
/// <item>a value PostgreSQL cannot take that validation should have refused first (a NUL, a number out of range): a
/// 400, and logged as the validation gap it is.</item>
/// </list>
/// Everything else stays an unhandled 500 and is logged as such.
/// </summary>
public sealed class DatabaseFailures(IProblemDetailsService problems, ILogger<DatabaseFailures> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 10;

    // 22021 character not in repertoire (NUL), 22P05 untranslatable character, 22003 numeric out of range,
    // 2201X/2201W negative OFFSET/LIMIT, 22001 string too long for its column.
    private static readonly HashSet<string> BadValue = ["22021", "22P05", "22003", "2201X", "2201W", "22001"];

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status == 0) return false;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogWarning("The database could not be reached for {Method} {Path}: {Message}", http.Request.Method, http.Request.Path, exception.Message);
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            logger.LogError(exception, "PostgreSQL refused a value that validation let through ({Method} {Path})", http.Request.Method, http.Request.Path);
        }
        http.Response.StatusCode = status;
        if (!http.Request.Path.StartsWithSegments("/api") && !http.Request.Path.StartsWithSegments("/hangfire"))
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(Page(title, detail), cancellationToken);
            return true;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }

    private static (int Status, string Title, string Detail) Classify(Exception exception)
    {
        for (var e = exception; e != null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: var state } && BadValue.Contains(state))
                return (StatusCodes.Status400BadRequest, "请求有误", "提交的内容含有无法保存的字符或数值，请检查后重新提交");
            if (e is NpgsqlException { IsTransient: true } or NpgsqlException { InnerException: System.Net.Sockets.SocketException or TimeoutException })
                return (StatusCodes.Status503ServiceUnavailable, "服务暂时不可用", $"系统暂时无法访问数据库，请 {RetryAfterSeconds} 秒后重试；已提交的内容不会丢失");
        }
        return (0, "", "");
    }

    // The error page without the layout: the layout reads the database (the user, the menu), which is what failed.
    private static string Page(string title, string detail) => $"""
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{WebUtility.HtmlEncode(title)} - 淄博市欠薪线索督办系统</title><link rel="stylesheet" href="/css/site.css"></head>
        <body><main class="container"><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(detail)}</p>
        <p><a href="/">返回首页</a></p></main></body></html>
        """;
}
