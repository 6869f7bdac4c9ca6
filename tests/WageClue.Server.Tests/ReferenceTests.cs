using System.Net;

namespace WageClue.Server.Tests;

public class ReferenceTests : ApiTest
{
    [Test]
    public async Task Health_reports_the_database_reachable()
    {
        var response = await TestHost.App.CreateClient().GetAsync("/health");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task The_openapi_document_and_its_browsable_ui_are_served()
    {
        var client = TestHost.App.CreateClient();
        var doc = await client.GetStringAsync("/openapi/v1.json");
        Assert.That(doc, Does.Contain("/api/clues/{id}/actions/{action}"));
        Assert.That(doc, Does.Contain("\"scheme\": \"bearer\""));
        Assert.That((await client.GetAsync("/scalar")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task The_districts_are_the_eight_coded_areas_and_three_zones()
    {
        var districts = await (await TestHost.As("cw.zd")).GetArrayAsync("/api/districts");
        Assert.That(districts.Select(d => d!.Str("name")), Is.EqualTo(new[]
            { "淄川区", "张店区", "博山区", "临淄区", "周村区", "桓台县", "高青县", "沂源县", "高新区", "经济开发区", "文昌湖区" }));
        Assert.That(districts.Count(d => d!.Str("kind") == "zone"), Is.EqualTo(3));
    }

    [Test]
    public async Task The_workflow_definition_and_its_diagram_are_served()
    {
        var api = await TestHost.As("cw.zd");
        var list = await api.GetArrayAsync("/api/workflows");
        Assert.That(list.Select(d => d!.Str("id")).Distinct(), Is.EquivalentTo(new[] { "wage-arrears-clue", "employer-listing" }));
        Assert.That(list.Count(d => d!.Str("id") == "wage-arrears-clue"), Is.EqualTo(2), "versions 1 and 2");
        var listing = await api.GetObjectAsync("/api/workflows/employer-listing/versions/1");
        Assert.That(listing.Str("mermaid"), Does.Contain("noticed --> listed : 作出列入决定"));
        var v1 = await api.GetObjectAsync("/api/workflows/wage-arrears-clue/versions/1");
        Assert.That(v1["definition"]!["clocks"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(v1["definition"]!["escalation"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(v1.Str("mermaid"), Does.Contain("received --> accepted"));
        Assert.That((await api.Http.GetAsync("/api/workflows/wage-arrears-clue/versions/9")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }
}
