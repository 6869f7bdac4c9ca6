using Npgsql;
using WageClue.Workflows.Calendar;

namespace WageClue.Server.Features.Calendar;

/// <summary>
/// The working calendar as the database has it, cached per process. Every use checks the version (one tiny query)
/// so that a year uploaded through another server instance is used here at once, without a restart.
/// </summary>
public sealed class CalendarStore
{
    private volatile WorkingCalendar? _cached;

    /// <summary>For a reader outside any transaction (a page).</summary>
    public async Task<WorkingCalendar> GetAsync(NpgsqlDataSource db)
    {
        await using var conn = await db.OpenConnectionAsync();
        return await GetAsync(conn);
    }

    public async Task<WorkingCalendar> GetAsync(NpgsqlConnection conn, NpgsqlTransaction? tx = null)
    {
        var version = await CalendarRepository.CurrentVersionAsync(conn, tx);
        var cached = _cached;
        if (cached != null && cached.Version == version) return cached;
        var years = await CalendarRepository.ListAsync(conn, tx);
        var calendar = new WorkingCalendar(years.Select(y => y.ToCalendarYear()), years.Count == 0 ? 0 : years.Max(y => y.Revision));
        _cached = calendar;
        return calendar;
    }
}
