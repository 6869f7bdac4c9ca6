using WageClue.Workflows.Validation;
using System.Globalization;
using Npgsql;
using WageClue.Workflows.Calendar;
using static WageClue.Server.Features.Calendar.CalendarEndpoints;

namespace WageClue.Server.Features.Calendar;

/// <summary>Adding or replacing a calendar year, for the API and the administration page alike.</summary>
public sealed class CalendarAdmin(NpgsqlDataSource db, CalendarStore store, ClockRecomputer recomputer, TimeProvider time)
{
    /// <returns>The stored year and how many clues were recomputed, or null and the errors keyed by field.</returns>
    public async Task<(PutYearResponse? Result, Dictionary<string, string[]> Errors)> PutAsync(int year, PutYearRequest request, long actorId)
    {
        var errors = new Dictionary<string, string[]>();
        var holidays = ParseDates(request.Holidays, "holidays", errors);
        var workdays = ParseDates(request.Workdays, "workdays", errors);
        DateOnly? published = null;
        if (request.Published != null)
        {
            if (DateOnly.TryParseExact(request.Published, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var p)) published = p;
            else errors["published"] = ["日期格式须为 yyyy-MM-dd"];
        }
        if (request.Notice != null && TextRules.Check(request.Notice, "文号", 200).Problem is { } notice) errors["notice"] = [notice];
        if (request.Source != null && TextRules.Check(request.Source, "来源", 1000, TextKind.MultiLine).Problem is { } source) errors["source"] = [source];
        if (errors.Count > 0) return (null, errors);

        var calendarYear = new CalendarYear(year, holidays, workdays, request.Notice, published, request.Source);
        var problems = calendarYear.Validate();
        if (problems.Count > 0)
            return (null, problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));

        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await CalendarRepository.LockExclusiveAsync(conn, tx);
        await CalendarRepository.UpsertAsync(conn, tx, calendarYear, actorId, now);
        var calendar = await store.GetAsync(conn, tx);
        var recomputed = await recomputer.RecomputeAsync(conn, tx, calendar, year, actorId, now);
        var row = (await CalendarRepository.ListAsync(conn, tx)).Single(y => y.Year == year);
        await tx.CommitAsync();
        return (new PutYearResponse(ToResponse(row), calendar.Version, recomputed), errors);
    }
}
