using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>Every refusal names the field at fault and writes nothing.</summary>
public class BadInputTests : ApiTest
{
    private static IEnumerable<TestCaseData> Refusals()
    {
        TestCaseData Case(string name, Action<JsonObject> change, string field) =>
            new TestCaseData(change, field).SetName(name);
        yield return Case("Missing channel", c => c.Remove("channel"), "channel");
        yield return Case("Unknown channel", c => c["channel"] = "wechat", "channel");
        yield return Case("District that does not exist", c => c["districtId"] = "370399", "districtId");
        yield return Case("Missing complainant name", c => c["complainantName"] = "  ", "complainantName");
        yield return Case("Complainant name too long", c => c["complainantName"] = new string('张', 51), "complainantName");
        yield return Case("Phone with ten digits", c => c["complainantPhone"] = "1390533123", "complainantPhone");
        yield return Case("Phone that is no mainland number", c => c["complainantPhone"] = "23905331234", "complainantPhone");
        yield return Case("ID number with a wrong check digit", c => c["complainantIdNumber"] = "110105194912310021", "complainantIdNumber");
        yield return Case("Credit code with a wrong check character", c => c["employerCreditCode"] = "91350100M000100Y44", "employerCreditCode");
        yield return Case("Credit code of 17 characters", c => c["employerCreditCode"] = "91350100M000100Y4", "employerCreditCode");
        yield return Case("Missing employer", c => c.Remove("employerName"), "employerName");
        yield return Case("Unknown industry", c => c["industry"] = "mining", "industry");
        yield return Case("No workers", c => c["workerCount"] = 0, "workerCount");
        yield return Case("Worker count as text", c => c["workerCount"] = "six", "workerCount");
        yield return Case("Fractional worker count", c => c["workerCount"] = 1.5, "workerCount");
        yield return Case("Negative amount", c => c["amountOwed"] = -1, "amountOwed");
        yield return Case("Amount with three decimals", c => c["amountOwed"] = 100.005m, "amountOwed");
        yield return Case("Description too long", c => c["description"] = new string('x', 4001), "description");
        yield return Case("Receipt time in the future", c => c["receivedAt"] = "2026-11-25T12:00:00+08:00", "receivedAt");
        yield return Case("Receipt time without an offset", c => c["receivedAt"] = "2026-11-24T10:00:00", "receivedAt");
        yield return Case("Receipt time further back than allowed", c => c["receivedAt"] = "2026-06-01T10:00:00+08:00", "receivedAt");
        yield return Case("Unknown field", c => c["priority"] = "high", "priority");
    }

    [TestCaseSource(nameof(Refusals))]
    public async Task A_bad_intake_is_refused_naming_the_field_and_writes_nothing(Action<JsonObject> change, string field)
    {
        var api = await TestHost.As("cw.zd");
        var before = await TestHost.TableCountsAsync();
        var problem = await Api.ExpectAsync(await api.PostAsync("/api/clues", Api.NewClue(change).ToJsonString()), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }), problem.ToJsonString());
        Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo(400));
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Malformed_json_is_a_400_problem()
    {
        var api = await TestHost.As("cw.zd");
        var problem = await Api.ExpectAsync(await api.PostAsync("/api/clues", """{"channel": "hotline-12345", """), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"], Is.Not.Null);
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_body_over_the_limit_is_refused_with_413()
    {
        var api = await TestHost.As("cw.zd");
        var huge = Api.NewClue(c => c["description"] = new string('x', 70_000)).ToJsonString();
        var problem = await Api.ExpectAsync(await api.PostAsync("/api/clues", huge), HttpStatusCode.RequestEntityTooLarge);
        Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo(413));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_body_that_is_not_json_is_refused_with_415()
    {
        var api = await TestHost.As("cw.zd");
        var response = await api.Http.PostAsync("/api/clues", new StringContent("channel=hotline", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await Api.ExpectAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [TestCase("overdue=maybe", "overdue")]
    [TestCase("dueBefore=tomorrow", "dueBefore")]
    [TestCase("pageSize=500", "pageSize")]
    [TestCase("page=0", "page")]
    [TestCase("state=approved", "state")]
    [TestCase("assignee=someone", "assignee")]
    [TestCase("sort=amount", "sort")]
    public async Task A_bad_list_filter_is_refused_naming_it(string query, string field)
    {
        var api = await TestHost.As("cw.zd");
        var problem = await Api.ExpectAsync(await api.Http.GetAsync($"/api/clues?{query}"), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { field }));
    }
}
