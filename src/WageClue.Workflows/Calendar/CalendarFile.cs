using System.Globalization;
using System.Text.Json;

namespace WageClue.Workflows.Calendar;

/// <summary>Reads the calendar file format of <c>workflows/calendars/*.json</c> (one object per year under "years").</summary>
public static class CalendarFile
{
    public static IReadOnlyList<CalendarYear> Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var years = new List<CalendarYear>();
        foreach (var entry in doc.RootElement.GetProperty("years").EnumerateObject())
        {
            var y = entry.Value;
            years.Add(new CalendarYear(
                int.Parse(entry.Name, CultureInfo.InvariantCulture),
                Dates(y, "holidays"),
                Dates(y, "workdays"),
                y.TryGetProperty("notice", out var n) ? n.GetString() : null,
                y.TryGetProperty("published", out var p) ? DateOnly.ParseExact(p.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                y.TryGetProperty("source", out var s) ? s.GetString() : null));
        }
        return years;
    }

    private static HashSet<DateOnly> Dates(JsonElement year, string name) =>
        year.GetProperty(name).EnumerateArray()
            .Select(d => DateOnly.ParseExact(d.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture))
            .ToHashSet();
}
