using System.Text.Json.Nodes;
using WageClue.Workflows.Definitions;

namespace WageClue.Workflows.Tests;

public class DefinitionLoaderTests
{
    private string _dir = "";

    [SetUp]
    public void CopySchema()
    {
        _dir = Directory.CreateTempSubdirectory("wageclue-defs-").FullName;
        File.Copy(Path.Combine(TestData.WorkflowsDirectory, WorkflowDefinitionLoader.SchemaFileName), Path.Combine(_dir, WorkflowDefinitionLoader.SchemaFileName));
    }

    [TearDown]
    public void Remove() => Directory.Delete(_dir, recursive: true);

    private static JsonObject Shipped() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestData.WorkflowsDirectory, "wage-arrears-clue.v1.json")))!.AsObject();

    private string LoadProblems(JsonObject definition, string fileName = "wage-arrears-clue.v1.json")
    {
        File.WriteAllText(Path.Combine(_dir, fileName), definition.ToJsonString());
        var e = Assert.Throws<WorkflowDefinitionException>(() => WorkflowDefinitionLoader.LoadDirectory(_dir));
        return string.Join("\n", e!.Problems);
    }

    [Test]
    public void The_shipped_definition_loads()
    {
        var definition = TestData.Definition;
        Assert.That((definition.Id, definition.Version, definition.States.Count, definition.Clocks.Count), Is.EqualTo(("wage-arrears-clue", 2, 10, 6)));
    }

    [Test]
    public void A_schema_violation_names_the_file_and_the_json_path()
    {
        var d = Shipped();
        d["actions"]![0]!["roles"] = new JsonArray("janitor");
        Assert.That(LoadProblems(d), Does.Contain("wage-arrears-clue.v1.json: $.actions[0].roles[0]"));
    }

    [Test]
    public void Invalid_json_names_the_file_and_line()
    {
        File.WriteAllText(Path.Combine(_dir, "wage-arrears-clue.v1.json"), "{\n \"id\": ");
        var e = Assert.Throws<WorkflowDefinitionException>(() => WorkflowDefinitionLoader.LoadDirectory(_dir));
        Assert.That(e!.Message, Does.Contain("wage-arrears-clue.v1.json: line"));
    }

    [Test]
    public void A_transition_to_an_unknown_state_is_refused()
    {
        var d = Shipped();
        d["actions"]![0]!["transitions"]![0]!["to"] = "approved";
        Assert.That(LoadProblems(d), Does.Contain("$.actions[0].transitions[0].to: unknown state 'approved'"));
    }

    [Test]
    public void An_unreachable_state_is_refused()
    {
        var d = Shipped();
        d["states"]!.AsArray().Add(new JsonObject { ["id"] = "archived", ["name"] = "已封存", ["final"] = true });
        Assert.That(LoadProblems(d), Does.Contain("$.states[8]: state 'archived' is unreachable"));
    }

    [Test]
    public void An_action_without_a_target_is_refused()
    {
        var d = Shipped();
        d["actions"]![0]!["transitions"]![0]!.AsObject().Remove("to");
        Assert.That(LoadProblems(d), Does.Contain("$.actions[0].transitions[0]: action 'accept' has neither 'to' nor 'stay'"));
    }

    [Test]
    public void A_clock_that_can_never_stop_is_refused()
    {
        var d = Shipped();
        d["clocks"]![1]!["metBy"] = new JsonArray();
        Assert.That(LoadProblems(d), Does.Contain("$.clocks[1]: clock 'connect' can never stop"));
    }

    [Test]
    public void Two_transitions_for_one_action_and_state_are_refused()
    {
        var d = Shipped();
        d["actions"]![0]!["transitions"]!.AsArray().Add(new JsonObject { ["from"] = new JsonArray("received"), ["to"] = "connected" });
        Assert.That(LoadProblems(d), Does.Contain("action 'accept' has two transitions from state 'received'"));
    }

    [Test]
    public void A_ladder_whose_higher_level_comes_first_is_refused()
    {
        var d = Shipped();
        d["escalation"]![2]!["offset"] = new JsonObject { ["workingHours"] = -3 };
        Assert.That(LoadProblems(d), Does.Contain("$.escalation: level 3 falls due before level 2"));
    }

    [Test]
    public void A_file_named_for_another_version_is_refused()
    {
        Assert.That(LoadProblems(Shipped(), "wage-arrears-clue.v2.json"), Does.Contain("must be named wage-arrears-clue.v1.json"));
    }

    [Test]
    public void A_new_version_is_a_new_file_and_both_stay_loaded()
    {
        File.WriteAllText(Path.Combine(_dir, "wage-arrears-clue.v1.json"), Shipped().ToJsonString());
        var v2 = Shipped();
        v2["version"] = 2;
        v2["clocks"]![2]!["workingDaysAfterReceipt"] = 5;
        File.WriteAllText(Path.Combine(_dir, "wage-arrears-clue.v2.json"), v2.ToJsonString());
        var registry = WorkflowDefinitionLoader.LoadDirectory(_dir);
        Assert.That(registry.Latest("wage-arrears-clue").Definition.Version, Is.EqualTo(2));
        Assert.That(registry.Find("wage-arrears-clue", 1)!.Definition.Clocks[2].WorkingDaysAfterReceipt, Is.EqualTo(3));
    }
}
