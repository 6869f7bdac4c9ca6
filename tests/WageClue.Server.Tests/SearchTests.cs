using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>Search through GET /api/clues?q=: each kind of term, within what the caller may read, paged, newest first.</summary>
public class SearchTests : ApiTest
{
    private const string HuaxinCode = "91370303MA3C00005K";

    private static async Task<JsonObject> SearchAsync(Api api, string q, string extra = "") =>
        await api.GetObjectAsync($"/api/clues?q={Uri.EscapeDataString(q)}{extra}");

    private static string[] Codes(JsonObject page) => page["items"]!.AsArray().Select(i => i!.Str("trackingCode")).ToArray();

    private static async Task<(string Huaxin, string Luzhong, string Zichuan)> ThreeCluesAsync()
    {
        var zd = await TestHost.As("cw.zd");
        var huaxin = (await zd.RegisterAsync(Api.NewClue(c =>
        {
            c["employerName"] = "淄博华信建筑工程有限公司"; c["employerCreditCode"] = HuaxinCode;
            c["complainantName"] = "刘洋"; c["complainantPhone"] = "13905331234";
            c["receivedAt"] = "2026-11-24T10:00:00+08:00";
        }))).Str("trackingCode");
        var luzhong = (await zd.RegisterAsync(Api.NewClue(c =>
        {
            c["employerName"] = "淄博鲁中机械制造有限公司"; c.Remove("employerCreditCode");
            c["complainantName"] = "赵志刚"; c["complainantPhone"] = "0533-2187654";
            c["receivedAt"] = "2026-11-25T08:40:00+08:00";
        }))).Str("trackingCode");
        var zc = await TestHost.As("cw.zc");
        var zichuan = (await zc.RegisterAsync(Api.NewClue(c =>
        {
            c["districtId"] = "370302"; c["employerName"] = "淄博华信物流有限公司"; c["employerCreditCode"] = "91370302MA3D123453";
            c["complainantName"] = "孙丽"; c["complainantPhone"] = "13905339999";
        }))).Str("trackingCode");
        return (huaxin, luzhong, zichuan);
    }

    [Test]
    public async Task Each_kind_of_term_finds_its_clue_within_the_callers_districts()
    {
        var (huaxin, luzhong, zichuan) = await ThreeCluesAsync();
        var cw = await TestHost.As("cw.zd");
        Assert.That(Codes(await SearchAsync(cw, "华信")), Is.EqualTo(new[] { huaxin }), "part of the name; 淄川's 华信 is not this district's");
        Assert.That(Codes(await SearchAsync(cw, "鲁中机械")), Is.EqualTo(new[] { luzhong }));
        Assert.That(Codes(await SearchAsync(cw, "有限公司")), Is.EqualTo(new[] { luzhong, huaxin }), "newest first");
        Assert.That(Codes(await SearchAsync(cw, string.Concat(huaxin.Select(ch => (char)(ch + 0xFEE0))))), Is.EqualTo(new[] { huaxin }), "a full-width code");
        Assert.That(Codes(await SearchAsync(cw, huaxin.ToLowerInvariant())), Is.EqualTo(new[] { huaxin }));
        Assert.That(Codes(await SearchAsync(cw, "1234")), Is.EqualTo(new[] { huaxin }), "the last 4 digits");
        Assert.That(Codes(await SearchAsync(cw, "13905331234")), Is.EqualTo(new[] { huaxin }), "the whole phone");
        Assert.That(Codes(await SearchAsync(cw, "05332187654")), Is.EqualTo(new[] { luzhong }), "a landline without its dash");
        Assert.That(Codes(await SearchAsync(cw, "０５３３－２１８７６５４")), Is.EqualTo(new[] { luzhong }), "and typed full-width");
        Assert.That(Codes(await SearchAsync(cw, "赵志刚")), Is.EqualTo(new[] { luzhong }), "the complainant's name");
        Assert.That(Codes(await SearchAsync(cw, HuaxinCode)), Is.EqualTo(new[] { huaxin }), "the credit code");
        Assert.That(Codes(await SearchAsync(cw, "9999")), Is.Empty, "淄川's phone is not this district's");
        Assert.That(Codes(await SearchAsync(cw, zichuan)), Is.Empty);
        Assert.That(Codes(await SearchAsync(cw, "%%")), Is.Empty, "LIKE wildcards are literal");
        Assert.That(Codes(await SearchAsync(cw, "华信", "&state=received&channel=hotline-12345")), Is.EqualTo(new[] { huaxin }));
        Assert.That(Codes(await SearchAsync(cw, "华信", "&state=accepted")), Is.Empty);

        var leader = await TestHost.As("leader");
        Assert.That(Codes(await SearchAsync(leader, "华信")), Is.EqualTo(new[] { zichuan, huaxin }), "the city");
        var masked = (await SearchAsync(leader, "刘洋"))["items"]![0]!;
        Assert.That(masked.ToJsonString(), Does.Not.Contain("刘洋").And.Not.Contain("13905331234"), "results carry masked personal data");

        // The integration account finds only what it registered.
        var hotline = await TestHost.As("hotline");
        var own = (await hotline.RegisterAsync(Api.NewClue(c => c["employerName"] = "淄博华信建材有限公司"))).Str("trackingCode");
        Assert.That(Codes(await SearchAsync(hotline, "华信")), Is.EqualTo(new[] { own }));
    }

    [Test]
    public async Task A_clue_transferred_to_another_district_is_found_there_by_name_and_no_longer_in_the_old_one()
    {
        var (huaxin, _, _) = await ThreeCluesAsync();
        var zd = await TestHost.As("cw.zd");
        var id = (await SearchAsync(zd, huaxin))["items"]![0]!["id"]!.GetValue<long>();
        await zd.DoAsync(id, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        await zd.DoAsync(id, "transfer-district", new { districtId = "370302", reason = "用工地在淄川区" });
        // The name search reads the district on the clue's index entries (migration 0010): it must follow the transfer.
        Assert.That(Codes(await SearchAsync(zd, "华信建筑")), Is.Empty, "张店 no longer reads it");
        Assert.That(Codes(await SearchAsync(zd, "刘洋")), Is.Empty);
        var zc = await TestHost.As("cw.zc");
        Assert.That(Codes(await SearchAsync(zc, "华信建筑")), Is.EqualTo(new[] { huaxin }));
        Assert.That(Codes(await SearchAsync(zc, "刘洋", "&state=received")), Is.EqualTo(new[] { huaxin }), "with a filter on the instance too");
        Assert.That(await TestHost.ScalarAsync<long>(
            "SELECT count(*) FROM wageclue.clues c JOIN wageclue.workflow_instances i ON i.id = c.id WHERE c.district_id <> i.district_id"), Is.Zero);
    }

    [Test]
    public async Task A_term_too_short_or_unknown_filters_are_refused_with_the_field_at_fault()
    {
        await ThreeCluesAsync();
        var cw = await TestHost.As("cw.zd");
        foreach (var (q, message) in new[] { ("123", "完整号码或后 4 位"), ("31234", "完整号码或后 4 位"), ("华", "至少输入 2 个字"), (new string('字', 51), "不能超过 50 个字") })
        {
            var refused = await Api.ExpectAsync(await cw.Http.GetAsync($"/api/clues?q={Uri.EscapeDataString(q)}"), HttpStatusCode.BadRequest);
            Assert.That(refused["errors"]!["q"]![0]!.GetValue<string>(), Does.Contain(message));
        }
        var channel = await Api.ExpectAsync(await cw.Http.GetAsync("/api/clues?q=华信&channel=fax"), HttpStatusCode.BadRequest);
        Assert.That(channel["errors"]!["channel"], Is.Not.Null);
    }

    [Test]
    public async Task Results_are_paged_newest_first_and_the_count_says_how_many()
    {
        var cw = await TestHost.As("cw.zd");
        var codes = new List<string>();
        for (var i = 0; i < 23; i++)
            codes.Add((await cw.RegisterAsync(Api.NewClue(c =>
            {
                c["employerName"] = "淄博恒通陶瓷有限公司"; c.Remove("employerCreditCode");
                c["receivedAt"] = $"2026-11-2{i % 5}T{10 + i % 7}:{i:00}:00+08:00";
            }))).Str("trackingCode"));
        var first = await SearchAsync(cw, "恒通陶瓷", "&pageSize=10");
        var third = await SearchAsync(cw, "恒通陶瓷", "&pageSize=10&page=3");
        Assert.That((first["total"]!.GetValue<long>(), first["totalCapped"]!.GetValue<bool>()), Is.EqualTo((23L, false)));
        Assert.That(Codes(first), Has.Length.EqualTo(10));
        Assert.That(Codes(third), Has.Length.EqualTo(3));
        var all = new List<string>();
        for (var p = 1; p <= 3; p++) all.AddRange(Codes(await SearchAsync(cw, "恒通陶瓷", $"&pageSize=10&page={p}")));
        Assert.That(all, Is.EquivalentTo(codes), "every clue once across the pages");
        var received = await TestHost.ScalarAsync<string[]>(
            "SELECT array_agg(tracking_code ORDER BY received_at DESC, id DESC) FROM wageclue.clues WHERE employer_name = '淄博恒通陶瓷有限公司'");
        Assert.That(all, Is.EqualTo(received), "newest received first");
    }
}
