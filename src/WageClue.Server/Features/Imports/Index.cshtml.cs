using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Imports;

/// <summary>批量导入: a supervisor uploads a batch the 12345 system or the national platform forwarded (CSV or JSON), and sees every row's outcome.</summary>
[Authorize(Roles = $"{Roles.Supervisor},{Roles.Caseworker}")]
public sealed class IndexModel(ClueImport import, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : AppPage
{
    [BindProperty] public string? Source { get; set; }
    [BindProperty] public IFormFile? Upload { get; set; }

    public ImportReport? Report { get; private set; }
    public string? Message { get; private set; }

    public static IEnumerable<(string Id, string Name)> Sources => ClueImport.Sources.Select(s => (s, Channels.Names[s]));

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        if (Source == null || !ClueImport.Sources.Contains(Source)) { Message = "请选择批次的来源"; return Page(); }
        if (Upload is not { Length: > 0 }) { Message = "请选择要导入的文件（CSV 或 JSON）"; return Page(); }
        IReadOnlyList<ParsedRow>? rows;
        await using (var stream = Upload.OpenReadStream())
        {
            using var body = new MemoryStream();
            await stream.CopyToAsync(body);
            body.Position = 0;
            (rows, Message) = Upload.FileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadJson(body) : ClueImport.ReadCsv(body);
        }
        if (rows == null) return Page();
        if (rows.Count == 0) { Message = "文件中没有线索"; return Page(); }
        Report = await import.ImportAsync(Source, rows, Me);
        return Page();
    }

    /// <summary>A JSON file: the API's batch ({"rows": [...]}) or just the array of rows.</summary>
    private (IReadOnlyList<ParsedRow>?, string?) ReadJson(Stream body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("rows", out var r) ? r : root;
            if (list.ValueKind != JsonValueKind.Array) return (null, "JSON 文件须为线索的数组，或含 rows 数组的对象");
            return ClueImport.ReadJsonRows(list, json.Value.SerializerOptions);
        }
        catch (JsonException e)
        {
            return (null, $"JSON 格式错误（第 {e.LineNumber + 1} 行）");
        }
    }

    public static string Describe(IReadOnlyDictionary<string, string[]> errors) =>
        string.Join("；", errors.Select(e => $"{ClueImport.FieldNames.GetValueOrDefault(e.Key, "其他")}：{string.Join("，", e.Value)}"));
}
