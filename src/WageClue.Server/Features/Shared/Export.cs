using CsvHelper;
using Microsoft.AspNetCore.Mvc;
using MiniExcelLibs;

namespace WageClue.Server.Features.Shared;

/// <summary>
/// Every list's download, as CSV or as an Excel workbook, from one table of text. CSV: UTF-8 with a byte order mark
/// (Excel then reads the Chinese), a cell starting with = + - @ escaped (CsvHelper's injection protection). Excel:
/// MiniExcel, every cell a string, so nothing anyone typed becomes a formula.
/// </summary>
public static class Export
{
    public const string CsvFormat = "csv", ExcelFormat = "xlsx";

    public static bool IsFormat(string? format) => format is CsvFormat or ExcelFormat;

    /// <summary>The download links every list shows, in this order.</summary>
    public static readonly IReadOnlyList<(string Format, string Label)> Formats = [(CsvFormat, "导出 CSV"), (ExcelFormat, "导出 Excel")];

    public static byte[] Csv(IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        using var buffer = new MemoryStream();
        using (var csv = CsvWriter.Create(buffer, new CsvWriterOptions { WriteByteOrderMark = true, Injection = CsvInjection.Escape }, leaveOpen: true))
        {
            csv.WriteRecord(header.ToArray());
            foreach (var row in rows) csv.WriteRecord(row);
            csv.Flush();
        }
        return buffer.ToArray();
    }

    public static byte[] Excel(string sheet, IReadOnlyList<string> header, IEnumerable<string[]> rows)
    {
        // A header may repeat a name in the sheet, not as a dictionary key: keys are the column positions' names.
        var keys = header.Select((h, i) => header.Take(i).Contains(h) ? $"{h}（{i + 1}）" : h).ToArray();
        var table = rows.Select(r => (IDictionary<string, object>)keys.Select((k, i) => (k, (object)(i < r.Length ? r[i] : "")))
            .ToDictionary(p => p.k, p => p.Item2)).ToList();
        if (table.Count == 0) table.Add(keys.ToDictionary(k => k, _ => (object)""));
        using var buffer = new MemoryStream();
        buffer.SaveAs(table, sheetName: sheet, excelType: ExcelType.XLSX);
        return buffer.ToArray();
    }

    /// <summary>The download a page answers with: <paramref name="name"/> and the day make the file's name.</summary>
    public static FileContentResult File(string format, string name, string day, IReadOnlyList<string> header, IReadOnlyList<string[]> rows) =>
        format == ExcelFormat
            ? new FileContentResult(Excel(name, header, rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") { FileDownloadName = $"{name}-{day}.xlsx" }
            : new FileContentResult(Csv(header, rows), "text/csv; charset=utf-8") { FileDownloadName = $"{name}-{day}.csv" };
}
