using WageClue.Server.Features.Instances;
using WageClue.Server.Infrastructure;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Shared;

/// <summary>
/// A clock as a person reads it: the due time and, in words, how much time is left or how long it is overdue,
/// whether it is paused (中止) or was extended (延期). The CSS class adds colour, never replaces the words.
/// Time left and time overdue are working time on the calendar, as the deadlines themselves are counted.
/// </summary>
public sealed record ClockView(string Clock, string Name, string Due, string Status, string Css, bool Provisional, string? Note = null)
{
    /// <summary>Every round of every clock, in the definition's order; a later round is named as such (督办回复（第2次）).</summary>
    public static IReadOnlyList<ClockView> For(WorkflowEngine engine, WorkingCalendar calendar, IEnumerable<ClockRow> rows, DateTimeOffset now)
    {
        var order = engine.Definition.Clocks.Select(c => c.Id).ToList();
        var math = new ClockMath(engine.Definition, calendar);
        return rows.OrderBy(k => order.IndexOf(k.Clock)).ThenBy(k => k.Round).Select(k => Of(engine, math, k, now)).ToList();
    }

    /// <summary>The clock that matters most now: the running one due first, or null when none runs.</summary>
    public static ClockView? MostUrgent(WorkflowEngine engine, WorkingCalendar calendar, IEnumerable<ClockRow> rows, DateTimeOffset now)
    {
        var next = rows.Where(k => k.IsRunning).MinBy(k => k.DueAt);
        return next == null ? null : Of(engine, new ClockMath(engine.Definition, calendar), next, now);
    }

    /// <summary>"已超时 2个工作日3小时" or "剩余 3小时20分钟", with the class that colours it: soon within 2 working hours.</summary>
    public static (string Text, string Css) DueText(ClockMath math, DateTimeOffset due, DateTimeOffset now)
    {
        var calculator = math.Calculator;
        if (due <= now) return ($"已超时 {Display.WorkingTime(calculator, due, now)}", "overdue");
        var left = calculator.WorkingTimeBetween(now, due);
        return ($"剩余 {Display.WorkingTime(left, calculator.WorkingDayLength)}", left < TimeSpan.FromHours(2) ? "soon" : "running");
    }

    private static ClockView Of(WorkflowEngine engine, ClockMath math, ClockRow k, DateTimeOffset now)
    {
        var name = engine.ClockName(k.Clock) + (k.Round > 1 ? $"（第{k.Round}次）" : "");
        var status = ClockStatus.Of(k.DueAt, k.MetAt, k.CancelledAt, now, k.PausedAt);
        if (engine.Definition.FindClock(k.Clock) is { IsPeriod: true } period)
            return new ClockView(k.Clock, name, Display.Time(engine.ToLocal(k.DueAt)), PeriodText(engine, period, k, now), k.MetAt == null && k.CancelledAt == null ? "running" : "met", k.Provisional);
        var (text, css) = status switch
        {
            ClockStatus.Overdue or ClockStatus.Running => DueText(math, k.DueAt, now),
            ClockStatus.Paused => k.PausedRemaining is { } left && left < TimeSpan.Zero
                ? ($"已中止（中止时已超时 {Display.WorkingSpan(-left)}）", "paused")
                : ($"已中止（剩余 {Display.WorkingSpan(k.PausedRemaining ?? TimeSpan.Zero)}，恢复后继续计算）", "paused"),
            ClockStatus.Met when k.OriginalDueAt is { } o && k.MetAt > o => ($"延期内完成（{Display.Time(engine.ToLocal(k.MetAt!.Value))}）", "met"),
            ClockStatus.Met => ($"已按时完成（{Display.Time(engine.ToLocal(k.MetAt!.Value))}）", "met"),
            ClockStatus.MetLate => ($"超时完成（{Display.Time(engine.ToLocal(k.MetAt!.Value))}）", "late"),
            _ => ("已撤销", "cancelled"),
        };
        string? note = null;
        if (k.OriginalDueAt is { } original) note = $"已延期 {k.ExtensionDays} 个工作日，原时限 {Display.Time(engine.ToLocal(original))}";
        if (k.MetAt == null && k.CancelledAt == null && k.ExtensionRequestDays is { } asked) note = $"延期申请待审批：延长 {asked} 个工作日";
        return new ClockView(k.Clock, name, Display.Time(engine.ToLocal(k.DueAt)), text, css, k.Provisional, note);
    }

    /// <summary>A period (an objection window, a listing's term) is nobody's deadline: it runs, runs out, or ends early.</summary>
    private static string PeriodText(WorkflowEngine engine, WageClue.Workflows.Definitions.ClockDefinition period, ClockRow k, DateTimeOffset now) =>
        k.CancelledAt != null ? "已终止"
        : k.MetAt is { } met && (k.MetBy == period.OnDue || met >= k.DueAt) ? "已届满"
        : k.MetAt is { } ended ? $"已结束（{engine.ActionName(k.MetBy ?? "")}，{Display.Time(engine.ToLocal(ended))}）"
        : now < k.DueAt ? $"期间内（还有 {Display.Span(k.DueAt - now)}）" : "已届满";
}

/// <summary>What the _Pager partial needs: the query parameter it pages with, so two lists on a page page separately.</summary>
public sealed record PagerModel(int Page, long Total, int PageSize, string Parameter)
{
    /// <summary>
    /// A page number from the address bar, between 1 and 100 000: far past any list's end, yet small enough that
    /// page × page size stays an int (999999999 once overflowed into a negative OFFSET).
    /// </summary>
    public static int Clamp(int page) => Math.Clamp(page, 1, 100_000);
}
