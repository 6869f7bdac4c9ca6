using System.Globalization;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using Npgsql;

namespace WageClue.Server.Features.Calendar;

public static class CalendarEndpoints
{
    public sealed record CalendarYearResponse(int Year, IReadOnlyList<string> Holidays, IReadOnlyList<string> Workdays,
        string? Notice, string? Published, string? Source, long Revision, DateTimeOffset UpdatedAt);

    public sealed record CalendarYearsResponse(long CalendarVersion, IReadOnlyList<CalendarYearResponse> Years);

    public sealed record PutYearRequest(string[]? Holidays, string[]? Workdays, string? Notice, string? Published, string? Source);

    public sealed record PutYearResponse(CalendarYearResponse Year, long CalendarVersion, int RecomputedClues);

    public static void MapCalendarEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/calendar/years").WithTags("Calendar");
        group.MapGet("/", ListAsync).RequireAuthorization()
            .WithSummary("The years of the statutory working-day calendar that are loaded; a year not listed is computed provisionally.");
        group.MapPut("/{year:int}", PutAsync).RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .Accepts<PutYearRequest>("application/json").Produces<PutYearResponse>().ProducesValidationProblem()
            .WithSummary("Add or replace a year's arrangement (admin); open clues whose deadlines depended on it are recomputed.");
    }

    private static async Task<IResult> ListAsync(CalendarRepository calendar)
    {
        var years = await calendar.ListAsync();
        return TypedResults.Ok(new CalendarYearsResponse(years.Count == 0 ? 0 : years.Max(y => y.Revision), years.Select(ToResponse).ToList()));
    }

    private static async Task<IResult> PutAsync(int year, HttpContext http, CurrentUser me, CalendarAdmin admin)
    {
        var (request, _, error) = await JsonBody.ReadAsync<PutYearRequest>(http);
        if (error != null) return error;
        var (result, errors) = await admin.PutAsync(year, request!, me.Id);
        return result == null ? Problems.Invalid(errors) : TypedResults.Ok(result);
    }

    internal static HashSet<DateOnly> ParseDates(string[]? values, string field, Dictionary<string, string[]> errors)
    {
        var dates = new HashSet<DateOnly>();
        if (values == null)
        {
            errors[field] = ["请提供日期列表（可为空列表）"];
            return dates;
        }
        for (var i = 0; i < values.Length; i++)
        {
            if (DateOnly.TryParseExact(values[i], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) dates.Add(d);
            else errors[$"{field}[{i}]"] = [$"第 {i + 1} 个日期“{values[i]}”不是 yyyy-MM-dd 格式的日期"];
        }
        return dates;
    }

    internal static CalendarYearResponse ToResponse(CalendarYearRow y) => new(
        y.Year,
        y.Holidays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList(),
        y.Workdays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList(),
        y.Notice, y.Published?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), y.Source, y.Revision, y.UpdatedAt);
}
