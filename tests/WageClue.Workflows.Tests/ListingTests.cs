using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;
using static WageClue.Workflows.Tests.EngineTests;
using static WageClue.Workflows.Tests.TestData;

namespace WageClue.Workflows.Tests;

/// <summary>
/// The listing workflow (人社部令第45号) on the real 2026 calendar. Expected dates are counted by hand from the
/// calendar file: National Day 10-01…10-07 off, Saturday 10-10 a make-up working day.
/// </summary>
public class ListingTests
{
    private static readonly WorkflowEngine Engine = Registry.Latest("employer-listing");
    private static readonly Actor Caseworker = new(1, "caseworker");
    private static readonly Actor Supervisor = new(2, "supervisor");
    private static readonly Actor Leader = new(3, "leader");
    private static readonly Actor System = new(0, Roles.System);

    private static InstanceSnapshot Listing(string state, Dictionary<string, string?>? attributes, params ClockSnapshot[] clocks) =>
        new(state, null, 3, "370303", 2, clocks, attributes ?? new Dictionary<string, string?>());

    private static Allowed Allow(InstanceSnapshot i, string action, Actor actor, object fields, DateTimeOffset now)
    {
        var d = Engine.Decide(i, action, actor, Fields(fields), now, Shipped);
        Assert.That(d, Is.InstanceOf<Allowed>(), d.ToString());
        return (Allowed)d;
    }

    private static Refused Refuse(InstanceSnapshot i, string action, Actor actor, object fields, DateTimeOffset now)
    {
        var d = Engine.Decide(i, action, actor, Fields(fields), now, Shipped);
        Assert.That(d, Is.InstanceOf<Refused>(), d.ToString());
        return (Refused)d;
    }

    private static readonly object Decision = new
    {
        decisionNumber = "淄人社失信〔2026〕3号", reason = "拖欠38名农民工工资42.6万元，经责令限期支付逾期未支付",
        basis = "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条", sanctions = "限制政府资金支持、政府采购、招投标等",
        removalConditions = "改正满6个月并书面信用承诺后可申请提前移出", remedies = "可于60日内申请行政复议或6个月内提起行政诉讼",
        legalRepresentative = "王建国", responsiblePersons = "李明",
    };

    [Test]
    public void The_decision_clock_counts_twenty_working_days_from_the_day_after_the_order_deadline()
    {
        // 责令 deadline Fri 09-25: 09-28, 09-29, 09-30, then from 10-08 (10-10 counts) … the 20th working day is Thu 10-29.
        var (_, clocks) = Engine.Register(Local("2026-10-09T10:00:00"), Shipped, new Dictionary<string, DateOnly> { ["orderDeadline"] = new(2026, 9, 25) });
        var decision = clocks.Single();
        Assert.That((decision.Clock, decision.DueAt), Is.EqualTo(("decision", Local("2026-10-29T17:30:00"))));
        Assert.That(decision.StartedAt, Is.EqualTo(Local("2026-09-25T00:00:00")), "a recompute counts from the same day");

        // A deadline on a rest day: the next working day is the first. Sun 10-04 → 10-08 (1), 10-09, 10-10 (3), 10-12 … 10-30 (18), 11-02, 11-03 (20).
        var (_, fromHoliday) = Engine.Register(Local("2026-10-09T10:00:00"), Shipped, new Dictionary<string, DateOnly> { ["orderDeadline"] = new(2026, 10, 4) });
        Assert.That(fromHoliday.Single().DueAt, Is.EqualTo(Local("2026-11-03T17:30:00")));
    }

    [Test]
    public void A_notice_served_on_29_September_has_its_objection_window_end_after_National_Day()
    {
        // Day 0 Tue 09-29; 09-30 (1), 10-08 (2), 10-09 (3), Sat 10-10 make-up (4), Mon 10-12 (5).
        var decision = new ClockSnapshot("decision", 1, Local("2026-09-25T00:00:00"), Local("2026-10-29T17:30:00"));
        var noticed = Allow(Listing("proposed", null, decision), "issue-notice", Caseworker, new { noticeNumber = "淄人社告〔2026〕9号" }, Local("2026-09-29T10:00:00"));
        var window = noticed.Clocks.OfType<StartClock>().Single();
        Assert.That((window.Clock, window.DueAt), Is.EqualTo(("objection", Local("2026-10-12T17:30:00"))));
        Assert.That(window.FirstEscalationAt, Is.EqualTo(window.DueAt), "a period is looked at once, when it runs out, to fire its action");

        var open = new ClockSnapshot("objection", 1, Local("2026-09-29T10:00:00"), Local("2026-10-12T17:30:00"));
        var during = Listing("noticed", null, decision, open);
        var early = Refuse(during, "decide", Supervisor, Decision, Local("2026-10-12T17:00:00"));
        Assert.That(early.Kind, Is.EqualTo(RefusalKind.NotAllowedInState));
        Assert.That(early.Message, Does.Contain("异议期").And.Contain("2026-10-12 17:30"));
        Assert.That(Engine.AllowedActions(during, "supervisor", Local("2026-10-12T17:00:00")), Does.Not.Contain("decide"));

        // Closed by the sweep at its end (the system's action), or by time alone if the sweep lags: either way decidable.
        var closed = Allow(during, "close-objection-window", System, new { }, Local("2026-10-12T17:30:00"));
        Assert.That(closed.Clocks, Is.EqualTo(new ClockEffect[] { new MeetClock("objection", 1, false, false) }));
        var decided = Allow(during, "decide", Supervisor, Decision, Local("2026-10-13T09:00:00"));
        Assert.That(decided.ToState, Is.EqualTo("listed"));
        Assert.That(decided.Clocks.OfType<MeetClock>().Select(m => m.Clock), Is.EquivalentTo(new[] { "decision", "objection" }),
            "a decision also ends a window the sweep has not closed yet");
        Assert.That(decided.Updates["legalRepresentative"], Is.EqualTo("王建国"));
    }

    [Test]
    public void An_objection_stops_the_window_and_starts_the_five_day_reply_and_the_decision_waits_for_the_answer()
    {
        var decision = new ClockSnapshot("decision", 1, Local("2026-09-25T00:00:00"), Local("2026-10-29T17:30:00"));
        var window = new ClockSnapshot("objection", 1, Local("2026-09-29T10:00:00"), Local("2026-10-12T17:30:00"));
        var objected = Allow(Listing("noticed", null, decision, window), "receive-objection", Caseworker, new { objection = "已于9月30日支付部分工资" }, Local("2026-09-30T15:00:00"));
        Assert.That(objected.ToState, Is.EqualTo("objection"));
        // Day 0 09-30; 10-08, 10-09, 10-10, 10-12, 10-13.
        Assert.That(objected.Clocks.OfType<StartClock>().Single().DueAt, Is.EqualTo(Local("2026-10-13T17:30:00")));

        var inObjection = Listing("objection", null, decision, window with { MetAt = Local("2026-09-30T15:00:00") },
            new ClockSnapshot("objection-reply", 1, Local("2026-09-30T15:00:00"), Local("2026-10-13T17:30:00")));
        Assert.That(Refuse(inObjection, "decide", Supervisor, Decision, Local("2026-10-14T09:00:00")).Kind, Is.EqualTo(RefusalKind.NotAllowedInState),
            "no decision while an objection is unanswered");
        var dismissed = Allow(inObjection, "dismiss-objection", Supervisor, new { reply = "经核实仍拖欠36万元，异议不成立" }, Local("2026-10-13T10:00:00"));
        Assert.That(dismissed.ToState, Is.EqualTo("noticed"));
        var back = Listing("noticed", null, decision, window with { MetAt = Local("2026-09-30T15:00:00") },
            new ClockSnapshot("objection-reply", 1, Local("2026-09-30T15:00:00"), Local("2026-10-13T17:30:00"), MetAt: Local("2026-10-13T10:00:00")));
        Assert.That(Engine.AllowedActions(back, "supervisor", Local("2026-10-13T11:00:00")), Does.Contain("decide"));
    }

    [Test]
    public void The_decision_may_be_extended_by_twenty_working_days_only_with_a_leaders_approval()
    {
        var decision = new ClockSnapshot("decision", 1, Local("2026-09-25T00:00:00"), Local("2026-10-29T17:30:00"));
        var asked = Allow(Listing("noticed", null, decision), "request-extension", Supervisor, new { clock = "decision", days = 20, reason = "需公安机关协查" }, Local("2026-10-20T10:00:00"));
        Assert.That(asked.Clocks, Is.EqualTo(new ClockEffect[] { new RequestExtension("decision", 1, 20) }));
        var pending = Listing("noticed", null, decision with { ExtensionRequestDays = 20 });
        Assert.That(Engine.AllowedActions(pending, "supervisor", Local("2026-10-20T11:00:00")), Does.Not.Contain("approve-extension"));
        var approved = Allow(pending, "approve-extension", Leader, new { }, Local("2026-10-20T11:00:00"));
        // 20 working days after Thu 10-29: 10-30 … 11-26.
        Assert.That(approved.Clocks.OfType<ExtendClock>().Single().DueAfter, Is.EqualTo(Local("2026-11-26T17:30:00")));
        Assert.That(Refuse(Listing("noticed", null, decision), "request-extension", Supervisor, new { clock = "decision", days = 21, reason = "x" }, Local("2026-10-20T10:00:00"))
            .FieldErrors!.Keys, Is.EqualTo(new[] { "days" }));
    }

    [Test]
    public void The_term_is_three_calendar_years_and_its_end_starts_the_ten_day_take_down()
    {
        var decision = new ClockSnapshot("decision", 1, Local("2026-09-25T00:00:00"), Local("2026-10-29T17:30:00"));
        var decided = Allow(Listing("noticed", null, decision, new ClockSnapshot("objection", 1, Local("2026-09-29T10:00:00"), Local("2026-10-12T17:30:00"), MetAt: Local("2026-10-12T17:30:00"))),
            "decide", Supervisor, Decision, Local("2026-10-20T15:00:00"));
        var term = decided.Clocks.OfType<StartClock>().Single();
        Assert.That((term.Clock, term.DueAt), Is.EqualTo(("term", Local("2029-10-21T00:00:00"))), "the last day is 2029-10-20, to its midnight");
        Assert.That(term.Provisional, Is.False, "a term of years does not depend on rest days");

        // A listing decided on 2023-11-20 expires at the end of 2026-11-20 (a Friday); the sweep fires 期满 as the system.
        var listed = Listing("listed", null, new ClockSnapshot("term", 1, Local("2023-11-20T15:00:00"), Local("2026-11-21T00:00:00")));
        var expired = Allow(listed, "expire", System, new { }, Local("2026-11-21T00:00:30"));
        Assert.That(expired.ToState, Is.EqualTo("ending"));
        Assert.That(expired.Updates["endReason"], Is.EqualTo("expired"));
        var takeDown = expired.Clocks.OfType<StartClock>().Single();
        // Saturday: counted from Monday 11-23 as day 0 (like any event on a rest day), 10 working days → Mon 12-07.
        Assert.That((takeDown.Clock, takeDown.DueAt), Is.EqualTo(("take-down", Local("2026-12-07T17:30:00"))));
        Assert.That(takeDown.FirstEscalationAt, Is.EqualTo(Local("2026-12-07T15:30:00")), "a duty climbs the ladder: 2 working hours before");
        Assert.That(Refuse(listed, "expire", Supervisor, new { }, Local("2026-11-21T09:00:00")).Kind, Is.EqualTo(RefusalKind.RoleForbidden));
    }

    [Test]
    public void A_term_from_29_February_ends_with_the_last_day_of_February()
    {
        var calc = Sla.ClockPlanner.Calculator(Engine.Definition, Shipped);
        Assert.That(calc.EndOfTerm(new DateOnly(2028, 2, 29), 3), Is.EqualTo(Local("2031-03-01T00:00:00")));
    }

    [Test]
    public void Early_removal_is_refused_at_five_months_after_correction_and_allowed_at_six()
    {
        var term = new ClockSnapshot("term", 1, Local("2026-01-15T10:00:00"), Local("2029-01-16T00:00:00"));
        var review = Listing("removal-review", new Dictionary<string, string?> { ["correctedOn"] = "2026-03-10", ["endReason"] = null }, term,
            new ClockSnapshot("removal", 1, Local("2026-08-10T10:00:00"), Local("2026-08-31T17:30:00")));

        var atFive = Refuse(review, "approve-removal", Supervisor, new { note = "已足额支付" }, Local("2026-08-10T10:00:00"));
        Assert.That(atFive.Message, Does.Contain("满6个月").And.Contain("2026-09-10"));
        var atSix = Allow(review, "approve-removal", Supervisor, new { note = "已足额支付" }, Local("2026-09-10T09:00:00"));
        Assert.That(atSix.ToState, Is.EqualTo("ending"));
        Assert.That(atSix.Clocks.OfType<MeetClock>().Select(m => m.Clock), Is.EquivalentTo(new[] { "term", "removal" }));
        Assert.That(atSix.Clocks.OfType<StartClock>().Single().Clock, Is.EqualTo("take-down"));

        // Corrected before the listing: the six months count from the listing.
        var correctedEarly = review with { Attributes = new Dictionary<string, string?> { ["correctedOn"] = "2025-12-01" } };
        Assert.That(Engine.WaitEnds(correctedEarly, Engine.Definition.FindAction("approve-removal")!.Waits!), Is.EqualTo(Local("2026-07-15T00:00:00")));
        Assert.That(Allow(review, "refuse-removal", Supervisor, new { reason = "尚不满6个月" }, Local("2026-08-10T10:00:00")).ToState, Is.EqualTo("listed"));
    }

    [Test]
    public void A_removal_obtained_with_false_material_is_revoked_and_the_term_restarts()
    {
        var attributes = new Dictionary<string, string?> { ["endReason"] = "early-removal", ["correctedOn"] = "2026-01-10" };
        var ended = Listing("ended", attributes,
            new ClockSnapshot("term", 1, Local("2025-06-01T10:00:00"), Local("2028-06-02T00:00:00"), MetAt: Local("2026-08-01T10:00:00")),
            new ClockSnapshot("take-down", 1, Local("2026-08-01T10:00:00"), Local("2026-08-14T17:30:00"), MetAt: Local("2026-08-05T10:00:00")));
        var restored = Allow(ended, "restore", Supervisor, new { reason = "工资支付凭证系伪造" }, Local("2026-11-25T10:00:00"));
        Assert.That(restored.ToState, Is.EqualTo("listed"));
        var term = restored.Clocks.OfType<StartClock>().Single();
        Assert.That((term.Clock, term.Round, term.DueAt), Is.EqualTo(("term", 2, Local("2029-11-26T00:00:00"))));

        var expiredInstead = ended with { Attributes = new Dictionary<string, string?> { ["endReason"] = "expired" } };
        Assert.That(Engine.AllowedActions(expiredInstead, "supervisor", Local("2026-11-25T10:00:00")), Does.Not.Contain("restore"));
    }

    [Test]
    public void Paid_in_full_with_a_pledge_before_the_decision_closes_the_case_unlisted()
    {
        var decision = new ClockSnapshot("decision", 1, Local("2026-09-25T00:00:00"), Local("2026-10-29T17:30:00"));
        var paid = Allow(Listing("noticed", null, decision, new ClockSnapshot("objection", 1, Local("2026-09-29T10:00:00"), Local("2026-10-12T17:30:00"))),
            "paid-with-pledge", Caseworker, new { paidOn = "2026-10-09", pledge = "信用承诺书 2026-17" }, Local("2026-10-09T16:00:00"));
        Assert.That(paid.ToState, Is.EqualTo("not-listed"));
        Assert.That(paid.Updates["closedReason"], Is.EqualTo("paid-with-pledge"));
        Assert.That(paid.Clocks.OfType<MeetClock>().Single().Clock, Is.EqualTo("decision"));
        Assert.That(paid.Clocks.OfType<CancelClock>().Single().Clock, Is.EqualTo("objection"), "the window ends with the case");
        Assert.That(Refuse(Listing("listed", null), "paid-with-pledge", Caseworker, new { paidOn = "2026-10-09", pledge = "x" }, Local("2026-10-09T16:00:00")).Kind,
            Is.EqualTo(RefusalKind.NotAllowedInState), "after the decision, payment leads to early removal instead");
        Assert.That(Refuse(Listing("noticed", null, decision), "paid-with-pledge", Caseworker, new { paidOn = "2026-13-01", pledge = "x" }, Local("2026-10-09T16:00:00"))
            .FieldErrors!.Keys, Is.EqualTo(new[] { "paidOn" }));
    }

    [Test]
    public void Revoking_the_order_document_ends_a_listing_through_the_take_down_and_a_proposal_without_one()
    {
        var listed = Allow(Listing("listed", null, new ClockSnapshot("term", 1, Local("2026-03-02T10:00:00"), Local("2029-03-03T00:00:00"))),
            "revoke", Supervisor, new { reason = "责令文书经复议被撤销（淄政复决〔2026〕12号）" }, Local("2026-11-25T10:00:00"));
        Assert.That(listed.ToState, Is.EqualTo("ending"));
        Assert.That(listed.Clocks.OfType<StartClock>().Single().Clock, Is.EqualTo("take-down"));
        var proposed = Allow(Listing("proposed", null, new ClockSnapshot("decision", 1, Local("2026-11-10T00:00:00"), Local("2026-12-08T17:30:00"))),
            "revoke", Supervisor, new { reason = "责令文书被撤销" }, Local("2026-11-25T10:00:00"));
        Assert.That(proposed.ToState, Is.EqualTo("not-listed"));
    }

    [Test]
    public void The_diagram_names_states_without_hyphens_so_Mermaid_can_read_it()
    {
        var diagram = Engine.ToMermaid();
        Assert.That(diagram, Does.Contain("listed --> removalreview : 受理提前移出申请").And.Not.Contain("removal-review"));
        Assert.That(diagram, Does.Contain("notlisted : 不予列入").And.Not.Contain(": not-listed"), "no English id is shown");
    }
}
