using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>Likely duplicates at intake (same phone or employer within 30 days) and merging by tracking code.</summary>
public class DuplicateTests : ApiTest
{
    private static JsonObject Other(Action<JsonObject>? change = null) => Api.NewClue(c =>
    {
        c["complainantPhone"] = "13705330000";
        c["employerName"] = "淄博另一家劳务公司";
        c["employerCreditCode"] = null;
        change?.Invoke(c);
    });

    [Test]
    public async Task The_dry_run_names_recent_clues_of_the_same_phone_or_employer_and_writes_nothing()
    {
        var cw = await TestHost.As("cw.zd");
        var first = await cw.RegisterAsync();
        await (await TestHost.As("cw.zc")).RegisterAsync(Api.NewClue(c => c["districtId"] = "370302")); // another district's: not shown to 张店

        var before = await TestHost.TableCountsAsync();
        var samePhone = await cw.PostAsync("/api/clues/duplicates", Other(c => c["complainantPhone"] = "13905331234").ToJsonString());
        var list = (await Api.ExpectAsync200ArrayAsync(samePhone)).Select(d => (d!.Str("trackingCode"), d!.Str("why"))).ToList();
        Assert.That(list, Is.EqualTo(new[] { (first.Str("trackingCode"), "同一反映人电话") }));
        var sameEmployer = await Api.ExpectAsync200ArrayAsync(await cw.PostAsync("/api/clues/duplicates",
            Other(c => c["employerName"] = "淄博某某配送服务有限公司").ToJsonString()));
        Assert.That(sameEmployer.Single()!.Str("why"), Is.EqualTo("同一用人单位"), "the employer's name finds it without the code");
        var spaced = await Api.ExpectAsync200ArrayAsync(await cw.PostAsync("/api/clues/duplicates",
            Other(c => c["employerName"] = "淄博 某某配送服务 有限公司").ToJsonString()));
        Assert.That(spaced, Has.Count.EqualTo(1), "blanks do not make another employer");
        Assert.That(await Api.ExpectAsync200ArrayAsync(await cw.PostAsync("/api/clues/duplicates", Other().ToJsonString())), Is.Empty);
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before), "a dry run writes nothing");
        var invalid = await Api.ExpectAsync(await cw.PostAsync("/api/clues/duplicates", Other(c => c["complainantPhone"] = "12").ToJsonString()), HttpStatusCode.BadRequest);
        Assert.That(invalid["errors"]!["complainantPhone"], Is.Not.Null);

        // Both at once.
        var both = await Api.ExpectAsync200ArrayAsync(await cw.PostAsync("/api/clues/duplicates", Api.NewClue().ToJsonString()));
        Assert.That(both.Select(d => (d!.Str("trackingCode"), d!.Str("why"))), Is.EqualTo(new[] { (first.Str("trackingCode"), "同一反映人电话、同一用人单位") }));

        // Thirty days on, neither counts any more.
        Time.Advance(TimeSpan.FromDays(31));
        Assert.That(await Api.ExpectAsync200ArrayAsync(await cw.PostAsync("/api/clues/duplicates", Api.NewClue().ToJsonString())), Is.Empty);
    }

    [Test]
    public async Task The_intake_answer_names_the_likely_duplicates_and_the_clue_is_registered_all_the_same()
    {
        var cw = await TestHost.As("cw.zd");
        var first = await cw.RegisterAsync();
        Assert.That(first["likelyDuplicates"]!.AsArray(), Is.Empty, "the first of its kind repeats nothing");
        Time.Advance(TimeSpan.FromMinutes(5));
        var second = await cw.RegisterAsync();
        var named = second["likelyDuplicates"]!.AsArray().Select(d => (d!.Str("trackingCode"), d!.Str("why"))).ToList();
        Assert.That(named, Is.EqualTo(new[] { (first.Str("trackingCode"), "同一反映人电话、同一用人单位") }), "not itself, only the first");
        Assert.That(second.Str("state"), Is.EqualTo("received"));
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(2));

        // Another district's caseworker is not told of 张店's clues.
        var zc = await (await TestHost.As("cw.zc")).RegisterAsync(Api.NewClue(c => c["districtId"] = "370302"));
        Assert.That(zc["likelyDuplicates"]!.AsArray(), Is.Empty);
        // The clue's own answer elsewhere does not carry the list.
        Assert.That((await cw.GetObjectAsync($"/api/clues/{second.Id()}")).ContainsKey("likelyDuplicates"), Is.False);
    }

    [Test]
    public async Task At_most_ten_likely_duplicates_are_named_newest_first()
    {
        var cw = await TestHost.As("cw.zd");
        var codes = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            codes.Add((await cw.RegisterAsync()).Str("trackingCode"));
            Time.Advance(TimeSpan.FromMinutes(1));
        }
        var list = await Api.ExpectAsync200ArrayAsync(await cw.PostAsync("/api/clues/duplicates", Api.NewClue().ToJsonString()));
        Assert.That(list.Select(d => d!.Str("trackingCode")), Is.EqualTo(codes.AsEnumerable().Reverse().Take(10)));
    }

    [Test]
    public async Task A_clue_is_merged_into_another_by_its_tracking_code()
    {
        var cw = await TestHost.As("cw.zd");
        var first = await cw.RegisterAsync();
        var second = await cw.RegisterAsync();
        var before = await TestHost.TableCountsAsync();
        var unknown = await Api.ExpectAsync(await cw.ActAsync(second.Id(), "merge", new { targetClueId = "ZB2222222222" }), HttpStatusCode.BadRequest);
        Assert.That(unknown["errors"]!["targetClueId"]![0]!.GetValue<string>(), Does.Contain("没有线索编号为 ZB2222222222"));
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));

        var merged = await cw.DoAsync(second.Id(), "merge", new { targetClueId = first.Str("trackingCode").ToLowerInvariant(), note = "同一人重复来电" });
        Assert.That((merged.Str("state"), merged["mergedInto"]!.GetValue<long>()), Is.EqualTo(("merged", first.Id())));
    }
}
