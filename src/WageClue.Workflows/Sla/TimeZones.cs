namespace WageClue.Workflows.Sla;

public static class TimeZones
{
    /// <summary>
    /// Finds an IANA zone. A container without tzdata still gets Asia/Shanghai right: mainland China has kept
    /// UTC+8 without daylight saving since 1991, so a fixed offset is exact for every date the service handles.
    /// </summary>
    public static TimeZoneInfo Find(string id)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException) when (id == "Asia/Shanghai")
        {
            return TimeZoneInfo.CreateCustomTimeZone(id, TimeSpan.FromHours(8), "China Standard Time", "China Standard Time");
        }
    }

    /// <summary>A local wall-clock time in the zone as an instant (deadlines, midnights of local days).</summary>
    public static DateTimeOffset AtLocal(TimeZoneInfo zone, DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>The local day an instant falls on.</summary>
    public static DateOnly LocalDay(TimeZoneInfo zone, DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
