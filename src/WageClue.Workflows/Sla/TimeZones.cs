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
}
