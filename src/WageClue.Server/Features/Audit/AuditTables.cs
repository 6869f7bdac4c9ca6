using System.Globalization;
using WageClue.Server.Features.Clues;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Audit;

/// <summary>
/// What the auditor reads, as the page, the API and the downloads show it: one home for the period's reading and the
/// columns. A period is given in Beijing days (from, to inclusive); by default the last 30 days.
/// </summary>
public static class AuditTables
{
    public const string PersonalData = "personal-data", Users = "users";

    public static readonly string[] PersonalDataHeader = ["时间", "查看人", "账号", "线索编号", "区县", "用途"];
    public static readonly string[] UsersHeader = ["时间", "操作人", "操作人账号", "账号", "姓名", "操作", "内容"];

    /// <returns>The period as instants, or the field at fault.</returns>
    public static (DateTimeOffset From, DateTimeOffset To, DateOnly FromDay, DateOnly ToDay, Dictionary<string, string[]> Errors) Period(
        string? from, string? to, WorkflowEngine engine, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        var today = DateOnly.FromDateTime(engine.ToLocal(now).DateTime);
        DateOnly Parse(string? text, string field, DateOnly fallback)
        {
            if (string.IsNullOrWhiteSpace(text)) return fallback;
            if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
            errors[field] = ["日期须为 yyyy-MM-dd（如 2026-11-20）"];
            return fallback;
        }
        var toDay = Parse(to, "to", today);
        var fromDay = Parse(from, "from", toDay.AddDays(-29));
        if (fromDay > toDay) errors["from"] = ["开始日期不能晚于结束日期"];
        return (engine.StartOfDay(fromDay), engine.StartOfDay(toDay.AddDays(1)), fromDay, toDay, errors);
    }

    public static string[] Row(PersonalDataViewRow r, WorkflowEngine engine, IReadOnlyDictionary<string, string> districts) =>
    [
        Time(r.At, engine), r.ViewerName, r.Viewer, r.TrackingCode, districts.GetValueOrDefault(r.DistrictId, r.DistrictId),
        r.Purpose == "view" ? "查看反映人完整信息" : r.Purpose,
    ];

    public static string[] Row(UserAuditRow r, WorkflowEngine engine) =>
    [
        Time(r.At, engine), r.ActorName ?? "系统（服务器端命令）", r.Actor ?? "", r.TargetUsername, r.TargetName,
        AuditLog.ActionNames.GetValueOrDefault(r.Action, r.Action), r.Details,
    ];

    private static string Time(DateTime at, WorkflowEngine engine) =>
        engine.ToLocal(new DateTimeOffset(at, TimeSpan.Zero)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
