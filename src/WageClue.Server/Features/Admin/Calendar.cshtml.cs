using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Admin;

/// <summary>Calendar years: which are loaded, and uploading a new or corrected year (open deadlines are recomputed).</summary>
[Authorize(Roles = Roles.Admin)]
public sealed class CalendarModel(CalendarRepository calendar, CalendarAdmin admin) : AppPage
{
    [BindProperty] public int? Year { get; set; }
    [BindProperty] public string? Holidays { get; set; }
    [BindProperty] public string? Workdays { get; set; }
    [BindProperty] public string? Notice { get; set; }
    [BindProperty] public string? Published { get; set; }
    [BindProperty] public string? Source { get; set; }

    public IReadOnlyList<CalendarYearRow> Years { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = new();

    public async Task OnGetAsync() => Years = await calendar.ListAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        if (Year is not { } year || year is < 2000 or > 2100)
        {
            Errors["year"] = ["请填写 2000-2100 之间的年份"];
            Years = await calendar.ListAsync();
            return Page();
        }
        var request = new CalendarEndpoints.PutYearRequest(Dates(Holidays), Dates(Workdays), Blank(Notice), Blank(Published), Blank(Source));
        var (result, errors) = await admin.PutAsync(year, request, Me.Id);
        if (result != null)
        {
            Flash($"已保存 {year} 年安排，{result.RecomputedClues} 条线索的时限已重新计算");
            return Redirect("/admin/calendar");
        }
        // "holidays[3]" and the like: one message per list, naming the bad entries.
        Errors = errors.GroupBy(e => e.Key.Split('[')[0]).ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).Distinct().ToArray());
        Years = await calendar.ListAsync();
        return Page();
    }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;

    public static string Join(IEnumerable<DateOnly> dates) => string.Join("\n", dates.Order().Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

    private static string[] Dates(string? text) =>
        (text ?? "").Split(['\n', '\r', ',', '，', ' ', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
