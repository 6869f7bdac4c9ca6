using System.Globalization;

namespace WageClue.Workflows.Calendar;

/// <summary>
/// For a year whose arrangement is not published yet: the statutory holiday dates themselves
/// (全国年节及纪念日放假办法, as revised in 2024), without the State Council's weekend swaps, which nobody can
/// predict. Deadlines computed with this are only ever marked provisional.
/// </summary>
internal static class StatutoryHolidayEstimate
{
    private static readonly ChineseLunisolarCalendar Lunar = new();

    public static IReadOnlySet<DateOnly> For(int year)
    {
        var days = new HashSet<DateOnly>
        {
            new(year, 1, 1),                           // 元旦
            QingMing(year),                            // 清明
            new(year, 5, 1), new(year, 5, 2),          // 劳动节
            new(year, 10, 1), new(year, 10, 2), new(year, 10, 3), // 国庆节
        };
        var newYear = LunarDate(year, 1, 1);           // 春节: 除夕 and 初一 to 初三
        for (var i = -1; i <= 2; i++) days.Add(newYear.AddDays(i));
        days.Add(LunarDate(year, 5, 5));               // 端午节
        days.Add(LunarDate(year, 8, 15));              // 中秋节
        // Spring Festival eve can fall in the previous Gregorian year; keep only this year's dates.
        days.RemoveWhere(d => d.Year != year);
        return days;
    }

    private static DateOnly LunarDate(int gregorianYear, int month, int day)
    {
        // The lunar year that starts in this Gregorian year carries the same number in .NET's calendar.
        var leap = Lunar.GetLeapMonth(gregorianYear);
        var index = leap > 0 && leap <= month ? month + 1 : month;
        return DateOnly.FromDateTime(Lunar.ToDateTime(gregorianYear, index, day, 0, 0, 0, 0));
    }

    // The Qingming solar term: the usual 21st-century formula, day = [Y*0.2422 + 4.81] - [Y/4], Y = year mod 100.
    private static DateOnly QingMing(int year)
    {
        var y = year % 100;
        var day = (int)Math.Floor(y * 0.2422 + 4.81) - y / 4;
        return new DateOnly(year, 4, day);
    }
}
