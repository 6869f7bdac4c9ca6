using FsCheck;
using FsCheck.Fluent;
using WageClue.Workflows.Engine;
using static WageClue.Workflows.Tests.EngineTests;
using static WageClue.Workflows.Tests.TestData;

namespace WageClue.Workflows.Tests;

/// <summary>The lifecycle's clock effects (definition version 2) on the real 2026 calendar.</summary>
public class LifecycleTests
{
    private static readonly WorkflowEngine Engine = Registry.Latest("wage-arrears-clue");
    private static readonly Actor Caseworker = new(1, "caseworker");
    private static readonly Actor Supervisor = new(2, "supervisor");
    private static readonly Actor Leader = new(3, "leader");

    private static InstanceSnapshot With(string state, params ClockSnapshot[] clocks) =>
        new(state, null, 5, "370303", 1, clocks, new Dictionary<string, string?>());

    private static Allowed Allow(InstanceSnapshot i, string action, Actor actor, object fields, DateTimeOffset now)
    {
        var d = Engine.Decide(i, action, actor, Fields(fields), now, Shipped);
        Assert.That(d, Is.InstanceOf<Allowed>(), d.ToString());
        return (Allowed)d;
    }

    [Test]
    public void A_pause_across_the_National_Day_holiday_resumes_with_exactly_the_working_time_left()
    {
        // Paused Wed 09-30 10:00 with the feedback clock due Fri 10-09 17:30: left 09-30 (2 + 4 h) + 10-08 + 10-09 (7.5 h each) = 21 h.
        var feedback = new ClockSnapshot("feedback", 1, Local("2026-09-29T09:00:00"), Local("2026-10-09T17:30:00"));
        var paused = Allow(With("handling", feedback), "suspend", Caseworker, new { reason = "awaiting-material", note = "等待补正工资表" }, Local("2026-09-30T10:00:00"));
        var pause = paused.Clocks.OfType<PauseClock>().Single();
        Assert.That(pause.Remaining, Is.EqualTo(TimeSpan.FromHours(21)));
        Assert.That(paused.ToState, Is.EqualTo("suspended"));

        // Resumed Mon 10-12 09:00 (after the holiday and the make-up Saturday 10-10): 10-12 7 h, 10-13 7.5 h, 10-14 3.5 h + 3 h.
        var resumedSnapshot = new InstanceSnapshot("suspended", "handling", 6, "370303", 1,
            [feedback with { PausedAt = Local("2026-09-30T10:00:00"), PausedRemaining = pause.Remaining }]);
        var resumed = Allow(resumedSnapshot, "resume", Caseworker, new { note = "材料已补正" }, Local("2026-10-12T09:00:00"));
        Assert.That(resumed.ToState, Is.EqualTo("handling"), "恢复 returns to the state 中止 came from");
        Assert.That(resumed.Clocks.OfType<ResumeClock>().Single().DueAt, Is.EqualTo(Local("2026-10-14T16:30:00")));
    }

    [Test]
    public void A_clock_paused_after_its_deadline_resumes_still_overdue_by_the_same_working_time()
    {
        var connect = new ClockSnapshot("connect", 1, Local("2026-11-23T09:00:00"), Local("2026-11-24T17:30:00"));
        var paused = Allow(With("accepted", connect), "suspend", Caseworker, new { reason = "other", note = "等待答复" }, Local("2026-11-25T09:30:00"));
        Assert.That(paused.Clocks.OfType<PauseClock>().Single().Remaining, Is.EqualTo(TimeSpan.FromHours(-1)));
    }

    [Test]
    public void An_approved_extension_across_the_make_up_Saturday_moves_the_due_time_by_working_days()
    {
        // Feedback due Fri 10-09 17:30; 2 working days more: Sat 10-10 (make-up day) and Mon 10-12.
        var asked = Allow(With("handling", new ClockSnapshot("feedback", 1, Local("2026-09-30T19:00:00"), Local("2026-10-09T17:30:00"))),
            "request-extension", Caseworker, new { clock = "feedback", days = 2, reason = "需调取考勤记录" }, Local("2026-10-09T10:00:00"));
        Assert.That(asked.Clocks, Is.EqualTo(new ClockEffect[] { new RequestExtension("feedback", 1, 2) }));

        var pending = With("handling", new ClockSnapshot("feedback", 1, Local("2026-09-30T19:00:00"), Local("2026-10-09T17:30:00"), ExtensionRequestDays: 2));
        Assert.That(Engine.Decide(pending, "approve-extension", Caseworker, Fields(new { }), Local("2026-10-09T11:00:00"), Shipped), Is.InstanceOf<Refused>());
        var approved = Allow(pending, "approve-extension", Supervisor, new { note = "同意" }, Local("2026-10-09T11:00:00"));
        var extend = approved.Clocks.OfType<ExtendClock>().Single();
        Assert.That((extend.DueBefore, extend.DueAfter, extend.OriginalDueAt),
            Is.EqualTo((Local("2026-10-09T17:30:00"), Local("2026-10-12T17:30:00"), Local("2026-10-09T17:30:00"))));
    }

    [Test]
    public void An_extension_is_refused_after_the_deadline_over_the_limit_or_while_one_is_pending()
    {
        var feedback = new ClockSnapshot("feedback", 1, Local("2026-11-23T09:00:00"), Local("2026-11-26T17:30:00"));
        var late = Engine.Decide(With("handling", feedback), "request-extension", Caseworker, Fields(new { clock = "feedback", days = 2, reason = "r" }),
            Local("2026-11-26T17:31:00"), Shipped);
        Assert.That(((Refused)late).Kind, Is.EqualTo(RefusalKind.NotAllowedInState));
        var tooLong = Engine.Decide(With("handling", feedback), "request-extension", Caseworker, Fields(new { clock = "feedback", days = 11, reason = "r" }),
            Local("2026-11-25T10:00:00"), Shipped);
        Assert.That(((Refused)tooLong).FieldErrors!.Keys, Is.EqualTo(new[] { "days" }));
        var used = feedback with { Extensions = 1 };
        Assert.That(Engine.AllowedActions(With("handling", used), "caseworker", Local("2026-11-25T10:00:00")), Does.Not.Contain("request-extension"));
        var pending = feedback with { ExtensionRequestDays = 1 };
        Assert.That(Engine.AllowedActions(With("handling", pending), "caseworker", Local("2026-11-25T10:00:00")), Does.Not.Contain("request-extension"));
    }

    [Test]
    public void The_case_clock_runs_60_working_days_from_filing_and_only_a_leader_approves_its_extension()
    {
        var filed = Allow(With("connected"), "file-case", Caseworker, new { caseNumber = "淄张人社监立〔2026〕1号" }, Local("2026-09-01T10:00:00"));
        var start = filed.Clocks.OfType<StartClock>().Single();
        Assert.That((start.Clock, filed.Updates["route"]), Is.EqualTo(("case", (object?)"enforcement")));
        // 60 working days from 09-01 (not counted), through Mid-Autumn, National Day and their make-up days (counted by hand from
        // the calendar file): Monday 11-30.
        Assert.That(start.DueAt, Is.EqualTo(Local("2026-11-30T17:30:00")));

        var pending = With("handling", new ClockSnapshot("case", 1, start.StartedAt, start.DueAt, ExtensionRequestDays: 30));
        Assert.That(Engine.AllowedActions(pending, "supervisor", Local("2026-11-20T10:00:00")), Does.Not.Contain("approve-extension"));
        Assert.That(Engine.AllowedActions(pending, "leader", Local("2026-11-20T10:00:00")), Does.Contain("approve-extension"));
        // +30 working days reaches into 2027, whose arrangement is not published: 元旦 estimated off.
        Assert.That(Allow(pending, "approve-extension", Leader, new { }, Local("2026-11-20T10:00:00")).Clocks.OfType<ExtendClock>().Single().DueAfter,
            Is.EqualTo(Local("2027-01-12T17:30:00")));
    }

    [TestCase("2026-11-25T17:29:00", "2026-11-30T17:30:00")]
    [TestCase("2026-11-25T17:31:00", "2026-12-01T17:30:00")]
    public void Entering_resolved_starts_the_follow_up_clock_counted_like_a_receipt(string resolvedAt, string due)
    {
        var resolved = Allow(With("handling"), "resolve", Caseworker,
            new { outcomeType = "mediated-payment", outcome = "已调解支付", amountRecovered = 1000m, workersPaid = 2 }, Local(resolvedAt));
        var start = resolved.Clocks.OfType<StartClock>().Single();
        Assert.That((start.Clock, start.Round, start.DueAt), Is.EqualTo(("follow-up", 1, Local(due))));
    }

    [Test]
    public void An_unsatisfied_follow_up_lets_a_supervisor_reopen_and_the_next_resolve_starts_a_second_follow_up_round()
    {
        var followUp = new ClockSnapshot("follow-up", 1, Local("2026-11-25T10:00:00"), Local("2026-11-30T17:30:00"));
        var satisfied = new InstanceSnapshot("resolved", "handling", 7, "370303", 1, [followUp with { MetAt = Local("2026-11-26T10:00:00") }],
            new Dictionary<string, string?> { ["satisfaction"] = "satisfied" });
        Assert.That(Engine.AllowedActions(satisfied, "supervisor", Local("2026-11-26T11:00:00")), Does.Not.Contain("reopen"));
        var unhappy = satisfied with { Attributes = new Dictionary<string, string?> { ["satisfaction"] = "dissatisfied" } };
        var reopened = Allow(unhappy, "reopen", Supervisor, new { reason = "反映人称工资仍未到账" }, Local("2026-11-26T11:00:00"));
        Assert.That(reopened.ToState, Is.EqualTo("handling"));

        var again = Allow(unhappy with { State = "handling" }, "resolve", Caseworker,
            new { outcomeType = "ordered-payment", outcome = "已责令支付", amountRecovered = 1000m, workersPaid = 2 }, Local("2026-11-27T10:00:00"));
        Assert.That(again.Clocks.OfType<StartClock>().Single().Round, Is.EqualTo(2));
    }

    [Test]
    public void An_urge_starts_a_reply_clock_of_one_working_day_and_a_reply_meets_it()
    {
        var urged = Allow(With("handling"), "urge", Leader, new { trigger = "overdue", instruction = "请于明日前报告进展" }, Local("2026-11-27T16:00:00"));
        var reply = urged.Clocks.OfType<StartClock>().Single();
        Assert.That((reply.Clock, reply.DueAt), Is.EqualTo(("urge-reply", Local("2026-11-30T17:30:00"))), "Friday → Monday");
        Assert.That(urged.Notify, Is.EqualTo(new[] { "assignee-or-district-caseworkers" }));

        Assert.That(Engine.AllowedActions(With("handling"), "caseworker", Local("2026-11-27T16:00:00")), Does.Not.Contain("reply-urge"));
        var open = With("handling", new ClockSnapshot("urge-reply", 1, reply.StartedAt, reply.DueAt));
        var replied = Allow(open, "reply-urge", Caseworker, new { reply = "已约谈企业负责人" }, Local("2026-12-01T09:00:00"));
        Assert.That(replied.Clocks, Is.EqualTo(new ClockEffect[] { new MeetClock("urge-reply", 1, Late: true, WithinExtension: false) }));
    }

    [Test]
    public void A_transfer_to_another_district_empties_the_assignee_and_moves_the_clocks_which_continue()
    {
        var moved = Allow(Clue("accepted"), "transfer-district", Caseworker, new { districtId = "370302", reason = "用工地在淄川" }, Local("2026-11-25T10:00:00"));
        Assert.That((moved.ToState, moved.DistrictId, moved.Updates["assignee"]), Is.EqualTo(("received", "370302", (object?)null)));
        Assert.That(moved.Clocks, Is.EqualTo(new ClockEffect[] { new MoveClocks("370302") }), "首问负责: the clocks continue");
        Assert.That(moved.Entry.PreviousDistrictId, Is.EqualTo("370303"));
        var same = Engine.Decide(Clue("accepted"), "transfer-district", Caseworker, Fields(new { districtId = "370303", reason = "r" }), Local("2026-11-25T10:00:00"), Shipped);
        Assert.That(((Refused)same).FieldErrors!.Keys, Is.EqualTo(new[] { "districtId" }));
    }

    [Test]
    public void A_transfer_out_ends_the_clue_and_cancels_every_open_clock()
    {
        var sent = Allow(Clue("handling"), "transfer-out", Caseworker, new { receiver = "police", receiverName = "淄博市公安局张店分局", reason = "涉嫌拒不支付劳动报酬罪" },
            Local("2026-11-25T10:00:00"));
        Assert.That(sent.ToState, Is.EqualTo("transferred"));
        Assert.That(sent.Clocks.OfType<CancelClock>().Select(c => c.Clock), Is.EquivalentTo(new[] { "accept", "connect", "feedback" }));
    }

    [Test]
    public void A_pause_never_shortens_the_working_time_left()
    {
        var calculator = Calculator();
        var start = Local("2026-01-01T00:00:00");
        Prop.ForAll(Gen.Choose(0, 340 * 24 * 4).ToArbitrary(), Gen.Choose(1, 400).ToArbitrary(), Gen.Choose(0, 40 * 24 * 4).ToArbitrary(),
            (pauseQuarter, hoursLeft, pausedQuarters) =>
            {
                var pausedAt = start.AddMinutes(15 * pauseQuarter);
                var due = calculator.AddWorkingTime(pausedAt, TimeSpan.FromHours(hoursLeft / 4.0));
                var left = calculator.WorkingTimeBetween(pausedAt, due);
                var resumedAt = pausedAt.AddMinutes(15 * pausedQuarters);
                var newDue = calculator.AddWorkingTime(resumedAt, left);
                return calculator.WorkingTimeBetween(resumedAt, newDue) >= left && newDue >= due;
            }).QuickCheckThrowOnFailure();
    }
}
