using System.Net;
using System.Net.Http.Headers;

namespace WageClue.Server.Tests;

public class AccessTests : ApiTest
{
    [Test]
    public async Task Without_a_token_the_api_answers_401_problem_details()
    {
        var response = await TestHost.App.CreateClient().GetAsync("/api/clues");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/problem+json"));
    }

    [Test]
    public async Task A_forged_token_is_refused()
    {
        var client = TestHost.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "CfDJ8-forged-token");
        Assert.That((await client.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_clue_of_another_district_answers_404_as_if_it_did_not_exist()
    {
        var zd = await TestHost.As("cw.zd");
        var id = (await zd.RegisterAsync()).Id();
        var zc = await TestHost.As("cw.zc");

        Assert.That((await zc.Http.GetAsync($"/api/clues/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await zc.Http.GetAsync($"/api/clues/{id}/history")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await zc.Http.GetAsync("/api/clues/999999")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await zc.ActAsync(id, "accept", new { assigneeId = TestHost.UserIds["cw.zc"] })).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That((await zc.GetObjectAsync("/api/clues"))["total"]!.GetValue<long>(), Is.EqualTo(0));
        var forbidden = await Api.ExpectAsync(await zc.Http.GetAsync("/api/clues?district=370303"), HttpStatusCode.BadRequest);
        Assert.That(forbidden["errors"]!["district"], Is.Not.Null);
    }

    [Test]
    public async Task A_leader_reads_every_district_acts_only_by_urging_and_an_admin_sees_no_clues()
    {
        var zd = await TestHost.As("cw.zd");
        var id = (await zd.RegisterAsync()).Id();
        await (await TestHost.As("cw.zc")).RegisterAsync(Api.NewClue(c => c["districtId"] = "370302"));

        var leader = await TestHost.As("leader");
        var page = await leader.GetObjectAsync("/api/clues");
        Assert.That(page["total"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That((await leader.GetObjectAsync($"/api/clues/{id}"))["allowedActions"]!.AsArray().Select(a => a!.Str("action")), Is.EqualTo(new[] { "urge" }));

        var admin = await TestHost.As("admin");
        Assert.That((await admin.Http.GetAsync("/api/clues")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await admin.Http.GetAsync($"/api/clues/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task The_full_personal_data_is_for_the_district_only_and_every_view_is_logged()
    {
        var zd = await TestHost.As("cw.zd");
        var id = (await zd.RegisterAsync()).Id();
        var response = await zd.Http.GetAsync($"/api/clues/{id}/complainant");
        Assert.That(response.Headers.CacheControl!.NoStore, Is.True);
        var full = await Api.ExpectAsync(response, HttpStatusCode.OK);
        Assert.That((full.Str("name"), full.Str("phone"), full.Str("idNumber")), Is.EqualTo(("刘洋", "13905331234", "11010519491231002X")));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.pii_access_log WHERE clue_id = @id AND user_id = @u",
            new { id, u = TestHost.UserIds["cw.zd"] }), Is.EqualTo(1));

        Assert.That((await (await TestHost.As("leader")).Http.GetAsync($"/api/clues/{id}/complainant")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await (await TestHost.As("cw.zc")).Http.GetAsync($"/api/clues/{id}/complainant")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.pii_access_log"), Is.EqualTo(1));
    }

    [Test]
    public async Task Lists_filter_by_state_assignee_overdue_and_due_time()
    {
        var cw = await TestHost.As("cw.zd");
        var late = (await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"))).Id();
        var fresh = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(fresh, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });

        long[] Ids(System.Text.Json.Nodes.JsonObject page) => page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<long>()).ToArray();
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(Ids(await cw.GetObjectAsync("/api/clues?overdue=true")), Is.EqualTo(new[] { late }));
            Assert.That(Ids(await cw.GetObjectAsync("/api/clues?state=accepted")), Is.EqualTo(new[] { fresh }));
            Assert.That(Ids(await cw.GetObjectAsync("/api/clues?assignee=me")), Is.EqualTo(new[] { fresh }));
            Assert.That(Ids(await cw.GetObjectAsync("/api/clues?assignee=none")), Is.EqualTo(new[] { late }));
            Assert.That(Ids(await cw.GetObjectAsync("/api/clues?district=370303&sort=due")), Is.EqualTo(new[] { late, fresh }));
            Assert.That(Ids(await cw.GetObjectAsync("/api/clues?dueBefore=2026-11-27T00:00:00%2B08:00")), Is.EquivalentTo(new[] { late, fresh }));
            Assert.That(Ids(await cw.GetObjectAsync("/api/clues?dueBefore=2026-11-24T00:00:00%2B08:00")), Is.EqualTo(new[] { late }));
            var paged = await cw.GetObjectAsync("/api/clues?pageSize=1&page=2");
            Assert.That((paged["total"]!.GetValue<long>(), Ids(paged).Length, paged["page"]!.GetValue<int>()), Is.EqualTo((2L, 1, 2)));
        });
    }
}
