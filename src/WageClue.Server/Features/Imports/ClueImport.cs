using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Districts;
using WageClue.Workflows.Validation;

namespace WageClue.Server.Features.Imports;

/// <summary>One clue as another system forwards it: the intake's fields, its reference there and its original receipt time.</summary>
public sealed record ImportRow(string? Reference, string? DistrictId, string? ComplainantName, string? ComplainantPhone, string? ComplainantIdNumber,
    string? EmployerName, string? EmployerCreditCode, string? Industry, int? WorkerCount, decimal? AmountOwed, string? Description, string? ReceivedAt);

/// <summary>A row of the batch: its number (from 1), or the errors it was read with (a CSV cell that is not a number).</summary>
public sealed record ParsedRow(int Number, ImportRow? Row, Dictionary<string, string[]> Errors);

public static class RowOutcome
{
    public const string Created = "created", Existing = "existing", Refused = "refused";
}

public sealed record RowReport(int Row, string? Reference, string Outcome, long? ClueId, string? TrackingCode, IReadOnlyDictionary<string, string[]>? Errors);

public sealed record ImportReport(string Source, string SourceName, int Total, int Created, int Existing, int Refused, IReadOnlyList<RowReport> Rows);

/// <summary>
/// Imports a batch forwarded by the 12345 hotline system or the national clue platform. Every row is checked as an
/// intake is (IntakeValidation, the caller's districts), in order, and registered as an intake is (ClueWorkflow),
/// each in a transaction of its own and <see cref="Parallelism"/> at once, so a refused row never blocks the others.
/// Idempotent per reference: the clue keeps the other system's reference and the row's hash (migration 0016), so a
/// batch sent again reports each row as existing and creates nothing, and a reference sent again with other content
/// is refused.
/// </summary>
public sealed class ClueImport(ClueWorkflow workflow, ImportStore store, DistrictRepository districts, TimeProvider time, IOptions<ClueOptions> options)
{
    /// <summary>The channels whose systems forward batches; the source of a batch is one of them.</summary>
    public static readonly IReadOnlyList<string> Sources = ["hotline-12345", "national-platform"];

    public const int MaxRows = 100_000;

    private static readonly string TooMany = $"一批最多 {MaxRows} 行";

    /// <summary>
    /// Rows registered at once. Each row is an intake of its own (a transaction, a pooled connection), so a batch goes
    /// at the rate of several intakes rather than one: a 100 000-row batch in minutes, not the better part of an hour
    /// (README, "Benchmark"), while most of the pool stays free for the caseworkers.
    /// </summary>
    public const int Parallelism = 4;

    public async Task<ImportReport> ImportAsync(string source, IReadOnlyList<ParsedRow> rows, CurrentUser me)
    {
        var known = (await districts.ListAsync()).Select(d => d.Id).ToHashSet();
        var references = rows.Select(r => r.Row?.Reference?.Trim()).OfType<string>().Distinct().ToList();
        var existing = await store.FindAsync(source, references);
        // Checked in order (a reference repeated in the batch is refused at its second row), then registered in parallel.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var checks = rows.Select(parsed => Check(source, parsed, known, existing, seen, me, time, options.Value)).ToList();
        var reports = new RowReport[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
            async (i, _) => reports[i] = checks[i].Report ?? await RegisterAsync(source, rows[i].Number, checks[i].Intake!, checks[i].Hash!, me));
        return new ImportReport(source, Channels.Names[source], rows.Count, reports.Count(r => r.Outcome == RowOutcome.Created),
            reports.Count(r => r.Outcome == RowOutcome.Existing), reports.Count(r => r.Outcome == RowOutcome.Refused), reports);
    }

    /// <summary>A row checked: its report when that is already known (refused, imported before), or the intake to register.</summary>
    private sealed record Checked(RowReport? Report, ValidIntake? Intake = null, byte[]? Hash = null);

    private static Checked Check(string source, ParsedRow parsed, IReadOnlySet<string> known,
        Dictionary<string, ImportedClue> existing, HashSet<string> seen, CurrentUser me, TimeProvider time, ClueOptions options)
    {
        var errors = new Dictionary<string, string[]>(parsed.Errors);
        var row = parsed.Row;
        var reference = row?.Reference?.Trim();
        Checked Refused() => new(new RowReport(parsed.Number, reference, RowOutcome.Refused, null, null, errors));
        if (row == null) return Refused();

        if (string.IsNullOrEmpty(reference)) errors["reference"] = ["请填写来源系统的编号"];
        else if (TextRules.Check(reference, "来源系统的编号", 100, TextKind.SingleLine).Problem is { } problem) errors["reference"] = [problem];
        else if (!seen.Add(reference)) errors["reference"] = ["本批中已有相同编号的一行"];
        if (string.IsNullOrWhiteSpace(row.ReceivedAt)) errors["receivedAt"] = ["请填写原始接收时间"];

        var request = new IntakeRequest(source, row.DistrictId, row.ComplainantName, row.ComplainantPhone, row.ComplainantIdNumber, row.EmployerName,
            row.EmployerCreditCode, row.Industry, row.WorkerCount, row.AmountOwed, row.Description, row.ReceivedAt);
        var (intake, intakeErrors) = IntakeValidation.Validate(request, known, time.GetUtcNow(), options);
        foreach (var (field, messages) in intakeErrors) errors.TryAdd(field, messages);
        if (intake != null && !AccessPolicy.CanRegister(me, intake.DistrictId)) errors["districtId"] = ["不能为其他区县登记线索"];
        if (errors.Count > 0 || intake == null) return Refused();

        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(row with { Reference = reference }));
        if (existing.TryGetValue(reference!, out var before)) return new(Known(parsed.Number, before, hash, errors));
        return new(null, intake with { Source = new ClueSource(source, reference!, hash) }, hash);
    }

    private async Task<RowReport> RegisterAsync(string source, int number, ValidIntake intake, byte[] hash, CurrentUser me)
    {
        var reference = intake.Source!.Reference;
        try
        {
            var result = await workflow.RegisterAsync(intake, me, null, hash);
            var created = result.Created!.Value.Clue;
            return new RowReport(number, reference, RowOutcome.Created, created.Id, created.TrackingCode, null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "clues_source_reference_idx")
        {
            // The same batch sent twice at once: the other request stored this reference first.
            var stored = (await store.FindAsync(source, [reference]))[reference];
            return Known(number, stored, hash, []);
        }
    }

    private static RowReport Known(int number, ImportedClue before, byte[] hash, Dictionary<string, string[]> errors)
    {
        if (CryptographicOperations.FixedTimeEquals(before.SourceHash, hash))
            return new RowReport(number, before.SourceReference, RowOutcome.Existing, before.Id, before.TrackingCode, null);
        errors["reference"] = [$"该编号已导入为线索 {before.TrackingCode}，内容与此前不同；更正请在该线索上办理"];
        return new RowReport(number, before.SourceReference, RowOutcome.Refused, before.Id, before.TrackingCode, errors);
    }

    /// <summary>How the import page names each field of a row report (the API names them by field).</summary>
    public static readonly IReadOnlyDictionary<string, string> FieldNames = new Dictionary<string, string>
    {
        ["row"] = "整行", ["reference"] = "来源编号", ["districtId"] = "所属区县", ["complainantName"] = "反映人姓名",
        ["complainantPhone"] = "联系电话", ["complainantIdNumber"] = "身份证号码", ["employerName"] = "用人单位名称",
        ["employerCreditCode"] = "统一社会信用代码", ["industry"] = "行业", ["workerCount"] = "涉及人数", ["amountOwed"] = "欠薪金额",
        ["description"] = "反映内容", ["receivedAt"] = "原始接收时间",
    };

    /// <summary>The CSV columns, named as the JSON fields are; a header names them in any order.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["reference", "districtId", "complainantName", "complainantPhone", "complainantIdNumber", "employerName", "employerCreditCode",
         "industry", "workerCount", "amountOwed", "description", "receivedAt"];

    /// <summary>
    /// Reads a CSV batch (UTF-8, a header row of <see cref="Columns"/>, RFC 4180 quoting) with the framework's
    /// TextFieldParser. Returns the rows, or the problem with the file as a whole (an unknown column, too many rows).
    /// </summary>
    public static (IReadOnlyList<ParsedRow>? Rows, string? Problem) ReadCsv(Stream body)
    {
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var parser = new Microsoft.VisualBasic.FileIO.TextFieldParser(reader) { HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        var header = parser.ReadFields();
        if (header == null) return (null, "文件为空：第一行须为列名");
        var unknown = header.Where(h => !Columns.Contains(h.Trim())).ToList();
        if (unknown.Count > 0) return (null, $"不认识的列：{string.Join("、", unknown)}（可用的列：{string.Join(", ", Columns)}）");
        var index = header.Select((h, i) => (h.Trim(), i)).ToDictionary(p => p.Item1, p => p.i);
        var rows = new List<ParsedRow>();
        while (!parser.EndOfData)
        {
            string[]? fields;
            try { fields = parser.ReadFields(); }
            catch (Microsoft.VisualBasic.FileIO.MalformedLineException e)
            {
                return (null, $"第 {e.LineNumber} 行的引号不成对");
            }
            if (fields == null || fields.All(string.IsNullOrWhiteSpace)) continue;
            if (rows.Count == MaxRows) return (null, TooMany);
            var errors = new Dictionary<string, string[]>();
            string? Cell(string column) => index.TryGetValue(column, out var i) && i < fields.Length && fields[i].Length > 0 ? fields[i] : null;
            int? Integer(string column) =>
                Cell(column) is not { } text ? null
                : int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                : Fail<int>(errors, column, "须为整数");
            decimal? Amount(string column) =>
                Cell(column) is not { } text ? null
                : decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var n) ? n
                : Fail<decimal>(errors, column, "须为数字");
            rows.Add(new ParsedRow(rows.Count + 1, new ImportRow(Cell("reference"), Cell("districtId"), Cell("complainantName"), Cell("complainantPhone"),
                Cell("complainantIdNumber"), Cell("employerName"), Cell("employerCreditCode"), Cell("industry"), Integer("workerCount"),
                Amount("amountOwed"), Cell("description"), Cell("receivedAt")), errors));
        }
        return (rows, null);
    }

    private static T? Fail<T>(Dictionary<string, string[]> errors, string column, string message) where T : struct
    {
        errors[column] = [message];
        return null;
    }

    /// <summary>
    /// Binds each element of a JSON batch's "rows" on its own, so a row of the wrong shape is that row's error.
    /// Returns the rows, or the problem with the batch as a whole (too many rows).
    /// </summary>
    public static (IReadOnlyList<ParsedRow>? Rows, string? Problem) ReadJsonRows(JsonElement rows, JsonSerializerOptions options)
    {
        if (rows.GetArrayLength() > MaxRows) return (null, TooMany);
        var known = options.GetTypeInfo(typeof(ImportRow)).Properties.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var parsed = new List<ParsedRow>();
        foreach (var element in rows.EnumerateArray())
        {
            var number = parsed.Count + 1;
            if (element.ValueKind != JsonValueKind.Object)
            {
                parsed.Add(new ParsedRow(number, null, new() { ["row"] = ["每一行须为一个 JSON 对象"] }));
                continue;
            }
            var unknown = element.EnumerateObject().Where(p => !known.Contains(p.Name)).ToDictionary(p => p.Name, _ => new[] { "不支持的字段" });
            if (unknown.Count > 0)
            {
                parsed.Add(new ParsedRow(number, null, unknown));
                continue;
            }
            try
            {
                parsed.Add(new ParsedRow(number, element.Deserialize<ImportRow>(options), []));
            }
            catch (JsonException e)
            {
                var field = e.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "row";
                parsed.Add(new ParsedRow(number, null, new() { [field] = ["类型不正确"] }));
            }
        }
        return (parsed, null);
    }
}
