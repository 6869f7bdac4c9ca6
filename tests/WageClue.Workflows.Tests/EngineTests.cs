using System.Text.Json;
using WageClue.Workflows.Engine;
using static WageClue.Workflows.Tests.TestData;

namespace WageClue.Workflows.Tests;

public class EngineTests
{
    private static readonly WorkflowEngine Engine = Registry.Latest("wage-arrears-clue");
    private static readonly Actor Caseworker = new(1, "caseworker");
    private static readonly Actor Supervisor = new(2, "supervisor");
    private static readonly Actor Leader = new(3, "leader");
    private static readonly DateTimeOffset Now = Local("2026-11-25T10:00:00");

    internal static Dictionary<string, JsonElement> Fields(object fields) =>
        JsonSerializer.SerializeToElement(fields).EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

    /// <summary>An instance received at 09:05 on 2026-11-25 with its receipt clocks running, in the given state.</summary>
    internal static InstanceSnapshot Clue(string state, params ClockSnapshot[] extra)
    {
        var (_, started) = Engine.Register(Local("2026-11-25T09:05:00"), Shipped);
        var clocks = started.Select(s => new ClockSnapshot(s.Clock, 1, s.StartedAt, s.DueAt)).Concat(extra).ToList();
        return new InstanceSnapshot(state, null, 1, "370303", 1, clocks);
    }

    private static Decision Decide(InstanceSnapshot i, string action, Actor actor, object fields, DateTimeOffset? now = null) =>
        Engine.Decide(i, action, actor, Fields(fields), now ?? Now, Shipped);

    private static Decision Decide(string state, string action, Actor actor, object fields) => Decide(Clue(state), action, actor, fields);

    [Test]
    public void Accept_moves_a_received_clue_to_accepted_sets_the_assignee_and_meets_the_accept_clock()
    {
        var decision = Decide("received", "accept", Caseworker, new { assigneeId = 7 });
        var allowed = decision as Allowed;
        Assert.That(allowed, Is.Not.Null, decision.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(allowed!.ToState, Is.EqualTo("accepted"));
            Assert.That(allowed.Updates["assignee"], Is.EqualTo(7L));
            Assert.That(allowed.Clocks, Is.EqualTo(new ClockEffect[] { new MeetClock("accept", 1, Late: false, WithinExtension: false) }));
            Assert.That(allowed.Entry.ClocksMet, Is.EqualTo(new[] { new ClockMet("accept", false) }));
        });
    }

    [Test]
    public void Accept_without_an_assignee_is_refused_naming_the_field()
    {
        var refused = (Refused)Decide("received", "accept", Caseworker, new { });
        Assert.That(refused.Kind, Is.EqualTo(RefusalKind.InvalidFields));
        Assert.That(refused.FieldErrors!.Keys, Is.EquivalentTo(new[] { "assigneeId" }));
    }

    [Test]
    public void Connect_before_accept_is_not_allowed_in_that_state()
    {
        var refused = (Refused)Decide("received", "connect", Caseworker, new { whom = "x", how = "phone" });
        Assert.That(refused.Kind, Is.EqualTo(RefusalKind.NotAllowedInState));
        Assert.That(refused.Message, Does.Contain("已登记"));
    }

    [Test]
    public void A_leader_may_not_accept_and_a_caseworker_may_not_close()
    {
        Assert.That(((Refused)Decide("received", "accept", Leader, new { assigneeId = 1 })).Kind, Is.EqualTo(RefusalKind.RoleForbidden));
        Assert.That(((Refused)Decide("resolved", "close", Caseworker, new { })).Kind, Is.EqualTo(RefusalKind.RoleForbidden));
        Assert.That(Decide("resolved", "close", Supervisor, new { }), Is.InstanceOf<Allowed>());
    }

    [Test]
    public void Feedback_keeps_the_state_and_meets_the_feedback_clock()
    {
        var allowed = (Allowed)Decide("handling", "feedback", Caseworker, new { message = "已告知进展", method = "phone" });
        Assert.That((allowed.FromState, allowed.ToState), Is.EqualTo(("handling", "handling")));
        Assert.That(allowed.Clocks.OfType<MeetClock>().Select(m => m.Clock), Is.EqualTo(new[] { "feedback" }));
    }

    [Test]
    public void Reject_ends_the_clue_meets_accept_and_feedback_and_cancels_the_rest()
    {
        var allowed = (Allowed)Decide("received", "reject", Caseworker, new { reason = "不属于欠薪" });
        Assert.That(allowed.ToState, Is.EqualTo("rejected"));
        Assert.That(allowed.Clocks.OfType<MeetClock>().Select(m => m.Clock), Is.EquivalentTo(new[] { "accept", "feedback" }));
        Assert.That(allowed.Clocks.OfType<CancelClock>().Select(m => m.Clock), Is.EqualTo(new[] { "connect" }));
    }

    [TestCase("resolve", """{"outcomeType":"ordered-payment","outcome":"已支付","amountRecovered":-1,"workersPaid":2}""", "amountRecovered")]
    [TestCase("resolve", """{"outcomeType":"ordered-payment","outcome":"已支付","amountRecovered":10.001,"workersPaid":2}""", "amountRecovered")]
    [TestCase("resolve", """{"outcomeType":"ordered-payment","outcome":"已支付","amountRecovered":"10","workersPaid":2}""", "amountRecovered")]
    [TestCase("resolve", """{"outcomeType":"ordered-payment","outcome":"已支付","amountRecovered":10,"workersPaid":-1}""", "workersPaid")]
    [TestCase("resolve", """{"outcomeType":"paid","outcome":"已支付","amountRecovered":10,"workersPaid":1}""", "outcomeType")]
    [TestCase("resolve", """{"outcomeType":"ordered-payment","outcome":"已支付","amountRecovered":10,"workersPaid":1,"extra":true}""", "extra")]
    [TestCase("transfer-out", """{"receiver":"ministry","receiverName":"某部门","reason":"不属于本局"}""", "receiver")]
    public void Wrong_field_values_are_refused_naming_the_field(string action, string json, string field)
    {
        var fields = JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var refused = (Refused)Engine.Decide(Clue("handling"), action, Caseworker, fields, Now, Shipped);
        Assert.That(refused.FieldErrors!.Keys, Is.EquivalentTo(new[] { field }));
    }

    [Test]
    public void An_unknown_action_is_refused_as_unknown()
    {
        Assert.That(((Refused)Decide("received", "approve", Caseworker, new { })).Kind, Is.EqualTo(RefusalKind.UnknownAction));
    }

    [Test]
    public void Allowed_actions_depend_on_state_role_and_the_guards()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Engine.AllowedActions(Clue("received"), "caseworker", Now), Is.EqualTo(new[] { "accept", "reject", "merge", "transfer-district" }));
            Assert.That(Engine.AllowedActions(Clue("received"), "supervisor", Now), Is.EqualTo(new[] { "accept", "reject", "merge", "transfer-district", "urge", "reassign" }));
            Assert.That(Engine.AllowedActions(Clue("connected"), "caseworker", Now),
                Is.EqualTo(new[] { "feedback", "mediate", "file-case", "request-extension", "suspend", "transfer-district", "transfer-out" }));
            Assert.That(Engine.AllowedActions(Clue("closed"), "supervisor", Now), Is.Empty);
            Assert.That(Engine.AllowedActions(Clue("handling"), "leader", Now), Is.EqualTo(new[] { "urge" }));
        });
    }

    [Test]
    public void The_mermaid_diagram_is_generated_from_the_definition_with_chinese_state_names()
    {
        var mermaid = Engine.ToMermaid();
        Assert.That(mermaid, Does.StartWith("stateDiagram-v2"));
        Assert.That(mermaid, Does.Contain("received : 已登记"));
        Assert.That(mermaid, Does.Contain("received --> accepted : 受理"));
        Assert.That(mermaid, Does.Contain("suspended --> handling : 恢复办理"), "恢复 returns to each state 中止 can come from");
        Assert.That(mermaid, Does.Not.Contain(": accept").And.Not.Contain("caseworker"), "no internal ids or role codes");
        Assert.That(mermaid, Does.Not.Contain("handling --> handling"), "actions that only record something are not arrows");
    }

    [Test]
    public void Version_one_still_loads_and_keeps_its_actions()
    {
        var v1 = Registry.Find("wage-arrears-clue", 1)!;
        var allowed = (Allowed)v1.Decide(Clue("connected"), "start-handling", Caseworker, Fields(new { route = "mediation" }), Now, Shipped);
        Assert.That(allowed.ToState, Is.EqualTo("handling"));
        Assert.That(v1.Definition.FindAction("suspend"), Is.Null);
    }
}
