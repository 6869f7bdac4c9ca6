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

    private static async Task<IResult> PutAsync(int year, HttpContext http, CurrentUser me, NpgsqlDataSource db,
        CalendarStore store, ClockRecomputer recomputer, TimeProvider time)
    {
        var (request, _, error) = await JsonBody.ReadAsync<PutYearRequest>(http);
        if (error != null) return error;

        var errors = new Dictionary<string, string[]>();
        var holidays = ParseDates(request!.Holidays, "holidays", errors);
        var workdays = ParseDates(request.Workdays, "workdays", errors);
        DateOnly? published = null;
        if (request.Published != null)
        {
            if (DateOnly.TryParseExact(request.Published, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var p)) published = p;
            else errors["published"] = ["日期格式须为 yyyy-MM-dd"];
        }
        if (request.Notice?.Length > 200) errors["notice"] = ["文号不能超过 200 字"];
        if (request.Source?.Length > 1000) errors["source"] = ["来源不能超过 1000 字"];
        if (errors.Count > 0) return Problems.Invalid(errors);

        var calendarYear = new CalendarYear(year, holidays, workdays, request.Notice, published, request.Source);
        var problems = calendarYear.Validate();
        if (problems.Count > 0)
            return Problems.Invalid(problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));

        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CalendarRepository.LockExclusiveAsync(conn, tx);
        await CalendarRepository.UpsertAsync(conn, tx, calendarYear, me.Id, now);
        var calendar = await store.GetAsync(conn, tx);
        var recomputed = await recomputer.RecomputeAsync(conn, tx, calendar, year, me.Id, now);
        var row = (await CalendarRepository.ListAsync(conn, tx)).Single(y => y.Year == year);
        await tx.CommitAsync();
        return TypedResults.Ok(new PutYearResponse(ToResponse(row), calendar.Version, recomputed));
    }

    private static HashSet<DateOnly> ParseDates(string[]? values, string field, Dictionary<string, string[]> errors)
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
            else errors[$"{field}[{i}]"] = ["日期格式须为 yyyy-MM-dd"];
        }
        return dates;
    }

    private static CalendarYearResponse ToResponse(CalendarYearRow y) => new(
        y.Year,
        y.Holidays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList(),
        y.Workdays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList(),
        y.Notice, y.Published?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), y.Source, y.Revision, y.UpdatedAt);
}
