using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Imports;

/// <summary>Batches of clues from the 12345 hotline system and the national clue platform, and the results sent back by their references.</summary>
public static class ImportEndpoints
{
    public static void MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/imports").WithTags("Imports").RequireAuthorization();
        group.MapPost("/", ImportAsync).Accepts<ImportBatch>("application/json", "text/csv").Produces<ImportReport>().ProducesValidationProblem()
            .WithSummary("Import a batch: JSON {source, rows:[...]} or CSV (header row; ?source=). Each row is checked and registered on its own; the answer reports every row.");
        group.MapGet("/results", ResultsAsync).Produces<List<ImportResultResponse>>()
            .WithSummary("Each imported clue's state, 3-day feedback and outcome by the other system's reference (?source=, optional since=, format=json|csv).");
    }

    public sealed record ImportBatch(string Source, List<ImportRow> Rows);

    public sealed record ImportResultResponse(string Reference, string TrackingCode, string State, string StateName, DateTimeOffset ReceivedAt,
        DateTimeOffset UpdatedAt, DateTimeOffset? FeedbackAt, string? Route, string? RejectionReason, string? Outcome, decimal? AmountRecovered, int? WorkersPaid);

    private static IResult? BadSource(string? source) =>
        source == null ? Problems.Invalid("source", $"请注明批次的来源：{string.Join("、", ClueImport.Sources)}")
        : !ClueImport.Sources.Contains(source) ? Problems.Invalid("source", $"来源须为以下之一：{string.Join("、", ClueImport.Sources)}")
        : null;

    private static async Task<IResult> ImportAsync(HttpContext http, CurrentUser me, ClueImport import, IOptions<JsonOptions> json)
    {
        if (!AccessPolicy.MayRegisterAtAll(me)) return Problems.Forbidden($"{Roles.ChineseName(me.Role)}不能导入线索");
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        string? source;
        IReadOnlyList<ParsedRow> rows;
        if (mediaType == "text/csv")
        {
            source = http.Request.Query["source"].FirstOrDefault();
            if (BadSource(source) is { } bad) return bad;
            // Read whole first (within Api:MaxImportBodyBytes): the parser reads synchronously.
            using var body = new MemoryStream();
            try { await http.Request.Body.CopyToAsync(body, http.RequestAborted); }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return Problems.Status(StatusCodes.Status413PayloadTooLarge, "请求体过大", "批次超过允许的大小，请分批导入");
            }
            body.Position = 0;
            var (csv, problem) = ClueImport.ReadCsv(body);
            if (problem != null) return Problems.Invalid("file", problem);
            rows = csv!;
        }
        else
        {
            var (document, error) = await JsonBody.ReadObjectAsync(http.Request);
            if (error != null) return error;
            using (document)
            {
                var root = document!.RootElement;
                var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => n is not ("source" or "rows")).ToList();
                if (unknown.Count > 0) return Problems.Invalid(unknown.ToDictionary(n => n, _ => new[] { "不支持的字段" }));
                source = root.TryGetProperty("source", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                if (BadSource(source) is { } bad) return bad;
                if (!root.TryGetProperty("rows", out var list) || list.ValueKind != JsonValueKind.Array)
                    return Problems.Invalid("rows", "rows 须为数组，每一行一条线索");
                var (parsed, problem) = ClueImport.ReadJsonRows(list, json.Value.SerializerOptions);
                if (problem != null) return Problems.Invalid("rows", problem);
                rows = parsed!;
            }
        }
        if (rows.Count == 0) return Problems.Invalid("rows", "批次中没有线索");
        return TypedResults.Ok(await import.ImportAsync(source!, rows, me));
    }

    private static async Task<IResult> ResultsAsync(HttpContext http, CurrentUser me, ImportStore store, ClueWorkflow workflow)
    {
        if (me.Role is not (Roles.Integration or Roles.Leader or Roles.Admin)) return Problems.Forbidden("只有对接账户、局领导和管理员可以导出办理结果");
        var source = http.Request.Query["source"].FirstOrDefault();
        if (BadSource(source) is { } bad) return bad;
        var format = http.Request.Query["format"].FirstOrDefault() ?? "json";
        if (format is not ("csv" or "json")) return Problems.Invalid("format", "须为 csv 或 json");
        DateTimeOffset? since = null;
        if (http.Request.Query["since"].FirstOrDefault() is { } text)
        {
            if (!Timestamps.TryParseWithOffset(text, out var parsed)) return Problems.Invalid("since", "since" + Timestamps.FormatHint);
            since = parsed;
        }
        var engine = workflow.CurrentEngine;
        var rows = (await store.ResultsAsync(source!, since)).Select(r => new ImportResultResponse(r.SourceReference, r.TrackingCode, r.State,
            engine.StateName(r.State), engine.ToLocal(r.ReceivedAt), engine.ToLocal(r.UpdatedAt), r.FeedbackAt is { } f ? engine.ToLocal(f) : null,
            r.Route, r.RejectionReason, r.Outcome, r.AmountRecovered, r.WorkersPaid)).ToList();
        if (format == "json") return TypedResults.Json(rows);
        static string Time(DateTimeOffset? t) => t?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "";
        return TypedResults.File(Shared.Export.Csv(
            ["来源编号", "线索编号", "状态", "接收时间", "最近更新", "反馈时间", "办理方式", "不予受理原因", "办理结果", "追回金额（元）", "涉及人数（已支付）"],
            rows.Select(r => new[] { r.Reference, r.TrackingCode, r.StateName, Time(r.ReceivedAt), Time(r.UpdatedAt), Time(r.FeedbackAt), r.Route ?? "",
                r.RejectionReason ?? "", r.Outcome ?? "", r.AmountRecovered?.ToString("0.00", CultureInfo.InvariantCulture) ?? "",
                r.WorkersPaid?.ToString(CultureInfo.InvariantCulture) ?? "" })),
            "text/csv; charset=utf-8", $"办理结果-{source}.csv");
    }
}
