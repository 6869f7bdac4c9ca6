using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>Employers as records of their own, and 不良行为记录, through the API on the real PostgreSQL.</summary>
public class EmployerApiTests : ApiTest
{
    private static long Id(string user) => TestHost.UserIds[user];

    /// <summary>A clue taken to 已办结 with the given outcome type (the lifecycle's way, action by action).</summary>
    internal static async Task<long> ResolvedAsync(Api cw, string outcomeType = "ordered-payment", JsonObject? clue = null)
    {
        var id = (await cw.RegisterAsync(clue)).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        await cw.DoAsync(id, "connect", new { whom = "公司负责人", how = "phone" });
        await cw.DoAsync(id, "feedback", new { message = "已受理并约谈用人单位" });
        await cw.DoAsync(id, "file-case", new { caseNumber = "淄张人社监案〔2026〕31号" });
        await cw.DoAsync(id, "resolve", new { outcomeType, outcome = "经查属实，已责令限期支付", amountRecovered = 20000m, workersPaid = 4 });
        return id;
    }

    [Test]
    public async Task Clues_link_to_one_employer_by_credit_code_or_by_name_and_the_matches_show_its_history()
    {
        var cw = await TestHost.As("cw.zd");
        var a = await cw.RegisterAsync();
        var b = await cw.RegisterAsync(Api.NewClue(c => c["employerName"] = "淄博某某配送服务有限公司（原名）"));
        Assert.That(b["employer"]!["id"]!.GetValue<long>(), Is.EqualTo(a["employer"]!["id"]!.GetValue<long>()), "the credit code decides");

        // Without a code: the name with its blanks and brackets normalised.
        var c1 = await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "淄博 华信（集团）建筑劳务公司"; c.Remove("employerCreditCode"); }));
        var c2 = await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "淄博华信(集团)建筑劳务公司"; c.Remove("employerCreditCode"); }));
        Assert.That(c2["employer"]!["id"]!.GetValue<long>(), Is.EqualTo(c1["employer"]!["id"]!.GetValue<long>()));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.employers"), Is.EqualTo(2));

        var matches = await cw.GetArrayAsync("/api/employers/matches?name=" + Uri.EscapeDataString("华信(集团)建筑"));
        Assert.That(matches.Count, Is.EqualTo(1), "a part of the name finds it");
        Assert.That(matches[0]!["summary"]!["openClues"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(matches[0]!["summary"]!["hasHistory"]!.GetValue<bool>(), Is.True);
        var byCode = await cw.GetArrayAsync("/api/employers/matches?creditCode=91350100M000100Y43");
        Assert.That(byCode.Single()!["summary"]!["clues"]!.GetValue<long>(), Is.EqualTo(2));

        // The caseworker confirms the employer a clue without a code is about.
        var employerId = c1["employer"]!["id"]!.GetValue<long>();
        var confirmed = await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "华信建筑劳务"; c.Remove("employerCreditCode"); c["employerId"] = employerId; }));
        Assert.That(confirmed["employer"]!["id"]!.GetValue<long>(), Is.EqualTo(employerId));
    }

    [Test]
    public async Task A_confirmed_employer_that_contradicts_the_credit_code_is_refused_and_nothing_is_written()
    {
        var cw = await TestHost.As("cw.zd");
        var other = await cw.RegisterAsync(Api.NewClue(c => { c["employerName"] = "另一家公司"; c.Remove("employerCreditCode"); }));
        var before = await TestHost.TableCountsAsync();
        var response = await cw.PostAsync("/api/clues", Api.NewClue(c => c["employerId"] = other["employer"]!["id"]!.GetValue<long>()).ToJsonString());
        var problem = await Api.ExpectAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["employerId"]![0]!.GetValue<string>(), Does.Contain("不一致"));
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
        var missing = await Api.ExpectAsync(await cw.PostAsync("/api/clues", Api.NewClue(c => c["employerId"] = 999999).ToJsonString()), HttpStatusCode.BadRequest);
        Assert.That(missing["errors"]!["employerId"], Is.Not.Null);
    }

    [Test]
    public async Task A_credit_record_is_proposed_by_the_caseworker_confirmed_by_the_supervisor_and_corrected_only_with_a_reason()
    {
        var cw = await TestHost.As("cw.zd");
        var clueId = await ResolvedAsync(cw);
        var recorded = await Api.ExpectAsync(await cw.PostAsync($"/api/clues/{clueId}/credit-record",
            """{"finding":"拖欠6名农民工10月工资28600元，经责令逾期未付"}"""), HttpStatusCode.Created);
        Assert.That((recorded.Str("status"), recorded["amount"]!.GetValue<decimal>(), recorded["revision"]!.GetValue<int>()), Is.EqualTo(("proposed", 28600m, 1)));
        var recordId = recorded.Id();
        await Api.ExpectAsync(await cw.PostAsync($"/api/clues/{clueId}/credit-record", """{"finding":"再次登记"}"""), HttpStatusCode.Conflict);
        await Api.ExpectAsync(await cw.PostAsync($"/api/credit-records/{recordId}/confirm", "{}"), HttpStatusCode.Forbidden);

        var sup = await TestHost.As("sup.zd");
        var other = await TestHost.As("sup.zc");
        await Api.ExpectAsync(await other.PostAsync($"/api/credit-records/{recordId}/confirm", "{}"), HttpStatusCode.NotFound);
        var stale = await Api.ExpectAsync(await sup.PostAsync($"/api/credit-records/{recordId}/confirm", """{"expectedRevision":7}"""), HttpStatusCode.Conflict);
        Assert.That(stale.Str("detail"), Does.Contain("同时更新"));
        var confirmed = await Api.ExpectAsync(await sup.PostAsync($"/api/credit-records/{recordId}/confirm", """{"expectedRevision":1}"""), HttpStatusCode.OK);
        Assert.That((confirmed.Str("status"), confirmed.Str("confirmedBy")), Is.EqualTo(("confirmed", "测试sup.zd")));

        var before = await TestHost.TableCountsAsync();
        var noReason = await Api.ExpectAsync(await sup.PostAsync($"/api/credit-records/{recordId}/correct", """{"amount":26000}"""), HttpStatusCode.BadRequest);
        Assert.That(noReason["errors"]!["reason"], Is.Not.Null);
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
        var corrected = await Api.ExpectAsync(await sup.PostAsync($"/api/credit-records/{recordId}/correct",
            """{"amount":26000,"reason":"复核工资表后核减2600元","expectedRevision":2}"""), HttpStatusCode.OK);
        var revisions = corrected["revisions"]!.AsArray();
        Assert.That(revisions.Select(r => (r!.Str("kind"), r!["amount"]!.GetValue<decimal>())),
            Is.EqualTo(new[] { ("recorded", 28600m), ("confirmed", 28600m), ("corrected", 26000m) }), "the earlier values stay visible");
        Assert.That(revisions[2]!.Str("reason"), Is.EqualTo("复核工资表后核减2600元"));

        var csv = await (await sup.Http.GetAsync("/api/credit-records/export?format=csv")).Content.ReadAsByteArrayAsync();
        Assert.That(csv[..3], Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "a BOM, so Excel reads the Chinese");
        var text = System.Text.Encoding.UTF8.GetString(csv);
        Assert.That(text, Does.Contain("淄博某某配送服务有限公司").And.Contain("91350100M000100Y43").And.Contain("26000.00"));
        Assert.That(text, Does.Not.Contain("刘洋").And.Not.Contain("13905331234"), "no complainant data goes to the credit platform");
        var json = await sup.GetArrayAsync("/api/credit-records/export?format=json");
        Assert.That(json.Single()!["amount"]!.GetValue<decimal>(), Is.EqualTo(26000m));
        await Api.ExpectAsync(await cw.Http.GetAsync("/api/credit-records/export"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Only_a_finding_of_arrears_can_be_recorded()
    {
        var cw = await TestHost.As("cw.zd");
        var unfounded = await ResolvedAsync(cw, "unfounded");
        var before = await TestHost.TableCountsAsync();
        var problem = await Api.ExpectAsync(await cw.PostAsync($"/api/clues/{unfounded}/credit-record", """{"finding":"x"}"""), HttpStatusCode.Conflict);
        Assert.That(problem.Str("detail"), Does.Contain("认定欠薪"));
        var open = (await cw.RegisterAsync()).Id();
        await Api.ExpectAsync(await cw.PostAsync($"/api/clues/{open}/credit-record", """{"finding":"x"}"""), HttpStatusCode.Conflict);
        var resolved = await ResolvedAsync(cw);
        var bad = await Api.ExpectAsync(await cw.PostAsync($"/api/clues/{resolved}/credit-record", """{"finding":" ","foundOn":"2099-01-01"}"""), HttpStatusCode.BadRequest);
        Assert.That(bad["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "finding", "foundOn" }));
        Assert.That(await TestHost.TableCountsAsync(), Is.Not.EqualTo(before)); // the two clues above were written, no record
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.credit_records"), Is.EqualTo(0));
    }
}
