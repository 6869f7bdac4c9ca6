using Dapper;
using Npgsql;
using WageClue.Workflows.Calendar;

namespace WageClue.Server.Features.Calendar;

public sealed class CalendarYearRow
{
    public int Year { get; init; }
    public DateOnly[] Holidays { get; init; } = [];
    public DateOnly[] Workdays { get; init; } = [];
    public string? Notice { get; init; }
    public DateOnly? Published { get; init; }
    public string? Source { get; init; }
    public long Revision { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public long? UpdatedBy { get; init; }

    public CalendarYear ToCalendarYear() =>
        new(Year, Holidays.ToHashSet(), Workdays.ToHashSet(), Notice, Published, Source);
}

public sealed class CalendarRepository(NpgsqlDataSource db)
{
    // Every transaction that writes clocks (intake, actions) holds this lock shared; a calendar change holds it
    // exclusively while it recomputes. So no clue is stored with deadlines from a calendar that has just been
    // replaced, and a recompute never deadlocks with an action (they would lock clue and clock rows in opposite order).
    private const long CalendarLockKey = 0x57_43_43_41_4C; // "WCCAL"

    public static Task LockSharedAsync(NpgsqlConnection conn, NpgsqlTransaction tx) =>
        conn.ExecuteAsync("SELECT pg_advisory_xact_lock_shared(@CalendarLockKey)", new { CalendarLockKey }, tx);

    public static Task LockExclusiveAsync(NpgsqlConnection conn, NpgsqlTransaction tx) =>
        conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@CalendarLockKey)", new { CalendarLockKey }, tx);

    public static Task<long> CurrentVersionAsync(NpgsqlConnection conn, NpgsqlTransaction? tx = null) =>
        conn.ExecuteScalarAsync<long>("SELECT coalesce(max(revision), 0) FROM wageclue.calendar_years", transaction: tx);

    public static async Task<IReadOnlyList<CalendarYearRow>> ListAsync(NpgsqlConnection conn, NpgsqlTransaction? tx = null) =>
        (await conn.QueryAsync<CalendarYearRow>("SELECT * FROM wageclue.calendar_years ORDER BY year", transaction: tx)).AsList();

    public async Task<IReadOnlyList<CalendarYearRow>> ListAsync()
    {
        await using var conn = await db.OpenConnectionAsync();
        return await ListAsync(conn);
    }

    /// <returns>The revision the year got.</returns>
    public static Task<long> UpsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CalendarYear year, long? userId, DateTimeOffset now) =>
        conn.ExecuteScalarAsync<long>("""
            INSERT INTO wageclue.calendar_years (year, holidays, workdays, notice, published, source, revision, updated_at, updated_by)
            VALUES (@Year, @holidays, @workdays, @Notice, @Published, @Source, nextval('wageclue.calendar_revision'), @now, @userId)
            ON CONFLICT (year) DO UPDATE SET
                holidays = excluded.holidays, workdays = excluded.workdays, notice = excluded.notice,
                published = excluded.published, source = excluded.source, revision = excluded.revision,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by
            RETURNING revision
            """, new
            {
                year.Year, holidays = year.Holidays.Order().ToArray(), workdays = year.Workdays.Order().ToArray(),
                year.Notice, year.Published, year.Source, now, userId,
            }, tx);

    /// <summary>Loads the years shipped in workflows/calendars that the database does not have yet. An administrator's upload always wins over the file.</summary>
    public async Task<int> ImportMissingAsync(IEnumerable<CalendarYear> years, DateTimeOffset now)
    {
        await using var conn = await db.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await LockExclusiveAsync(conn, tx);
        var existing = (await ListAsync(conn, tx)).Select(y => y.Year).ToHashSet();
        var added = 0;
        foreach (var year in years.Where(y => !existing.Contains(y.Year)))
        {
            await UpsertAsync(conn, tx, year, null, now);
            added++;
        }
        await tx.CommitAsync();
        return added;
    }
}
