using WageClue.Server.Features.Clues;
using WageClue.Server.Infrastructure;
using WageClue.Workflows.Engine;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Shared;

/// <summary>
/// A clock as a person reads it: the due time and, in words, how much time is left or how long it is overdue. The
/// CSS class adds colour, never replaces the words.
/// </summary>
public sealed record ClockView(string Clock, string Name, string Due, string Status, string Css, bool Provisional)
{
    public static IReadOnlyList<ClockView> For(WorkflowEngine engine, IEnumerable<ClockRow> rows, DateTimeOffset now)
    {
        var byId = rows.ToDictionary(k => k.Clock);
        return engine.Definition.Clocks.Where(c => byId.ContainsKey(c.Id)).Select(c => Of(engine, c.Name, byId[c.Id], now)).ToList();
    }

    /// <summary>The clock that matters most now: the running one due first, or null when none runs.</summary>
    public static ClockView? MostUrgent(WorkflowEngine engine, IEnumerable<ClockRow> rows, DateTimeOffset now)
    {
        var next = rows.Where(k => k.MetAt == null && k.CancelledAt == null).MinBy(k => k.DueAt);
        return next == null ? null : Of(engine, engine.Definition.Clocks.Single(c => c.Id == next.Clock).Name, next, now);
    }

    private static ClockView Of(WorkflowEngine engine, string name, ClockRow k, DateTimeOffset now)
    {
        var status = ClockStatus.Of(k.DueAt, k.MetAt, k.CancelledAt, now);
        var (text, css) = status switch
        {
            ClockStatus.Overdue => ($"已超时 {Display.Span(now - k.DueAt)}", "overdue"),
            ClockStatus.Running when k.DueAt - now < TimeSpan.FromHours(2) => ($"剩余 {Display.Span(k.DueAt - now)}", "soon"),
            ClockStatus.Running => ($"剩余 {Display.Span(k.DueAt - now)}", "running"),
            ClockStatus.Met => ($"已按时完成（{Display.Time(engine.ToLocal(k.MetAt!.Value))}）", "met"),
            ClockStatus.MetLate => ($"超时完成（{Display.Time(engine.ToLocal(k.MetAt!.Value))}）", "late"),
            _ => ("已撤销", "cancelled"),
        };
        return new ClockView(k.Clock, name, Display.Time(engine.ToLocal(k.DueAt)), text, css, k.Provisional);
    }
}

/// <summary>What the _Pager partial needs: the query parameter it pages with, so two lists on a page page separately.</summary>
public sealed record PagerModel(int Page, long Total, int PageSize, string Parameter);
