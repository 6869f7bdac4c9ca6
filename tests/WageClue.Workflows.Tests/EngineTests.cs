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

    private static Dictionary<string, JsonElement> Fields(object fields) =>
        JsonSerializer.SerializeToElement(fields).EnumerateObject().ToDictionary(p => p.Name, p => p.Value);

    [Test]
    public void Accept_moves_a_received_clue_to_accepted_sets_the_assignee_and_meets_the_accept_clock()
    {
        var decision = Engine.Decide("received", "accept", Caseworker, Fields(new { assigneeId = 7 }));
        var allowed = decision as Allowed;
        Assert.That(allowed, Is.Not.Null, decision.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(allowed!.ToState, Is.EqualTo("accepted"));
            Assert.That(allowed.Updates["assignee"], Is.EqualTo(7L));
            Assert.That(allowed.MetClocks, Is.EqualTo(new[] { "accept" }));
            Assert.That(allowed.EntersFinalState, Is.False);
        });
    }

    [Test]
    public void Accept_without_an_assignee_is_refused_naming_the_field()
    {
        var refused = (Refused)Engine.Decide("received", "accept", Caseworker, Fields(new { }));
        Assert.That(refused.Kind, Is.EqualTo(RefusalKind.InvalidFields));
        Assert.That(refused.FieldErrors!.Keys, Is.EquivalentTo(new[] { "assigneeId" }));
    }

    [Test]
    public void Connect_before_accept_is_not_allowed_in_that_state()
    {
        var refused = (Refused)Engine.Decide("received", "connect", Caseworker, Fields(new { whom = "x", how = "phone" }));
        Assert.That(refused.Kind, Is.EqualTo(RefusalKind.NotAllowedInState));
        Assert.That(refused.Message, Does.Contain("已登记"));
    }

    [Test]
    public void A_leader_may_not_fire_actions_and_a_caseworker_may_not_close()
    {
        Assert.That(((Refused)Engine.Decide("received", "accept", Leader, Fields(new { assigneeId = 1 }))).Kind, Is.EqualTo(RefusalKind.RoleForbidden));
        Assert.That(((Refused)Engine.Decide("resolved", "close", Caseworker, Fields(new { }))).Kind, Is.EqualTo(RefusalKind.RoleForbidden));
        Assert.That(Engine.Decide("resolved", "close", Supervisor, Fields(new { })), Is.InstanceOf<Allowed>());
    }

    [Test]
    public void Feedback_keeps_the_state_and_meets_the_feedback_clock()
    {
        var allowed = (Allowed)Engine.Decide("handling", "feedback", Caseworker, Fields(new { message = "已告知进展", method = "phone" }));
        Assert.That((allowed.FromState, allowed.ToState), Is.EqualTo(("handling", "handling")));
        Assert.That(allowed.MetClocks, Is.EqualTo(new[] { "feedback" }));
    }

    [Test]
    public void Reject_ends_the_clue_meets_accept_and_feedback_and_stops_the_rest()
    {
        var allowed = (Allowed)Engine.Decide("received", "reject", Caseworker, Fields(new { reason = "不属于欠薪" }));
        Assert.That(allowed.ToState, Is.EqualTo("rejected"));
        Assert.That(allowed.MetClocks, Is.EquivalentTo(new[] { "accept", "feedback" }));
        Assert.That(allowed.EntersFinalState, Is.True);
    }

    [TestCase("resolve", """{"outcome":"已支付","amountRecovered":-1,"workersPaid":2}""", "amountRecovered")]
    [TestCase("resolve", """{"outcome":"已支付","amountRecovered":10.001,"workersPaid":2}""", "amountRecovered")]
    [TestCase("resolve", """{"outcome":"已支付","amountRecovered":"10","workersPaid":2}""", "amountRecovered")]
    [TestCase("resolve", """{"outcome":"已支付","amountRecovered":10,"workersPaid":-1}""", "workersPaid")]
    [TestCase("resolve", """{"outcome":"已支付","amountRecovered":10,"workersPaid":1,"extra":true}""", "extra")]
    [TestCase("start-handling", """{"route":"arbitration"}""", "route")]
    public void Wrong_field_values_are_refused_naming_the_field(string action, string json, string field)
    {
        var state = action == "resolve" ? "handling" : "connected";
        var fields = JsonDocument.Parse(json).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        var refused = (Refused)Engine.Decide(state, action, Caseworker, fields);
        Assert.That(refused.FieldErrors!.Keys, Is.EquivalentTo(new[] { field }));
    }

    [Test]
    public void An_unknown_action_is_refused_as_unknown()
    {
        Assert.That(((Refused)Engine.Decide("received", "approve", Caseworker, Fields(new { }))).Kind, Is.EqualTo(RefusalKind.UnknownAction));
    }

    [Test]
    public void Allowed_actions_depend_on_state_and_role()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Engine.AllowedActions("received", "caseworker"), Is.EqualTo(new[] { "accept", "reject", "merge" }));
            Assert.That(Engine.AllowedActions("received", "supervisor"), Is.EqualTo(new[] { "accept", "reject", "merge", "reassign" }));
            Assert.That(Engine.AllowedActions("connected", "caseworker"), Is.EqualTo(new[] { "feedback", "start-handling" }));
            Assert.That(Engine.AllowedActions("resolved", "supervisor"), Is.EqualTo(new[] { "feedback", "close", "reassign" }));
            Assert.That(Engine.AllowedActions("closed", "supervisor"), Is.Empty);
            Assert.That(Engine.AllowedActions("handling", "leader"), Is.Empty);
        });
    }

    [Test]
    public void The_mermaid_diagram_is_generated_from_the_definition_with_chinese_state_names()
    {
        var mermaid = Engine.ToMermaid();
        Assert.That(mermaid, Does.StartWith("stateDiagram-v2"));
        Assert.That(mermaid, Does.Contain("received : 已登记"));
        Assert.That(mermaid, Does.Contain("received --> accepted : accept"));
    }
}
