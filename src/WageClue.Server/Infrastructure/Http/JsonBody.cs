using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace WageClue.Server.Infrastructure.Http;

/// <summary>
/// Reads request bodies ourselves rather than through parameter binding, so that malformed JSON, a wrong type and an
/// unknown field each get a 400 problem naming the field at fault (binding failures otherwise give a bare 400).
/// </summary>
public static class JsonBody
{
    public static async Task<(JsonDocument? Document, IResult? Error)> ReadObjectAsync(HttpRequest request, bool allowEmpty = false)
    {
        if (allowEmpty && request.ContentLength is 0 or null && !request.Headers.TransferEncoding.Any())
            return (JsonDocument.Parse("{}"), null);
        if (!request.HasJsonContentType())
            return (null, Problems.Status(StatusCodes.Status415UnsupportedMediaType, "不支持的内容类型", "请求体须为 application/json"));
        try
        {
            var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, Problems.Invalid("$", "请求体须为 JSON 对象"));
            }
            // A key given twice ({"assigneeId":2,"assigneeId":5}) is refused: which one was meant cannot be known.
            if (Duplicate(document.RootElement, "") is { } twice)
            {
                document.Dispose();
                return (null, Problems.Invalid(twice, "字段重复出现"));
            }
            return (document, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid(FieldOf(e.Path), $"JSON 格式错误（第 {e.LineNumber + 1} 行）"));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Problems.Status(StatusCodes.Status413PayloadTooLarge, "请求体过大", "请求体超过允许的大小"));
        }
    }

    /// <summary>Reads and binds a JSON object body; <c>Raw</c> is its text (for the idempotency hash).</summary>
    public static async Task<(T? Value, string Raw, IResult? Error)> ReadAsync<T>(HttpContext context) where T : class
    {
        var (document, error) = await ReadObjectAsync(context.Request);
        if (error != null) return (null, "", error);
        using (document)
        {
            var (value, bindError) = Bind<T>(context, document!.RootElement);
            return (value, document.RootElement.GetRawText(), bindError);
        }
    }

    /// <summary>Binds an object to <typeparamref name="T"/>; unknown properties and type mismatches are field errors.</summary>
    public static (T? Value, IResult? Error) Bind<T>(HttpContext context, JsonElement root) where T : class
    {
        var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var known = options.GetTypeInfo(typeof(T)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = root.EnumerateObject().Where(p => !known.Contains(p.Name)).ToDictionary(p => p.Name, _ => new[] { "不支持的字段" });
        if (unknown.Count > 0) return (null, Problems.Invalid(unknown));
        try
        {
            return (root.Deserialize<T>(options), null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Invalid(FieldOf(e.Path), "类型不正确"));
        }
    }

    /// <summary>The path of the first key given twice in an object, at any depth; null when there is none.</summary>
    private static string? Duplicate(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
            return element.EnumerateArray().Select((item, i) => Duplicate(item, $"{path}[{i}]")).FirstOrDefault(d => d != null);
        if (element.ValueKind != JsonValueKind.Object) return null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var here = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (!seen.Add(property.Name)) return here;
            if (Duplicate(property.Value, here) is { } inner) return inner;
        }
        return null;
    }

    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
