using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests;

/// <summary>Batches from the 12345 hotline system and the national platform (Features/Imports), as the integration account sends them.</summary>
public class ImportTests : ApiTest
{
    private static JsonObject Row(string reference, Action<JsonObject>? change = null)
    {
        var row = Api.NewClue();
        row.Remove("channel");
        row["reference"] = reference;
        row["receivedAt"] = "2026-11-24T16:40:00+08:00"; // the original receipt, the afternoon before
        change?.Invoke(row);
        return row;
    }

    private static async Task<JsonObject> ImportAsync(Api api, string source, params JsonObject[] rows)
    {
        var batch = new JsonObject { ["source"] = source, ["rows"] = new JsonArray(rows.Select(r => (JsonNode)r.DeepClone()).ToArray()) };
        return await Api.ExpectAsync(await api.PostAsync("/api/imports", batch.ToJsonString()), HttpStatusCode.OK);
    }

    private static Task<long> CountAsync(string sql) => TestHost.ScalarAsync<long>(sql);

    [Test]
    public async Task A_batch_registers_good_rows_reports_refused_ones_and_sent_again_creates_nothing_twice()
    {
        var hotline = await TestHost.As("hotline");
        JsonObject[] rows =
        [
            Row("12345-20261124-0001"),
            Row("12345-20261124-0002", r => r["complainantPhone"] = "123"),
            Row("12345-20261124-0003", r => { r["districtId"] = "370302"; r["complainantPhone"] = "13905335678"; }),
            Row("12345-20261124-0001", r => r["complainantPhone"] = "13905339999"), // the same reference twice in one batch
            Row("", r => r.Remove("receivedAt")),
        ];
        var report = await ImportAsync(hotline, "hotline-12345", rows);
        Assert.That((report["total"]!.GetValue<int>(), report["created"]!.GetValue<int>(), report["existing"]!.GetValue<int>(), report["refused"]!.GetValue<int>()),
            Is.EqualTo((5, 2, 0, 3)));
        var lines = report["rows"]!.AsArray();
        Assert.That(lines.Select(l => l!.Str("outcome")), Is.EqualTo(new[] { "created", "refused", "created", "refused", "refused" }));
        Assert.That(lines[1]!["errors"]!["complainantPhone"]![0]!.GetValue<string>(), Does.Contain("联系电话"));
        Assert.That(lines[3]!["errors"]!["reference"]![0]!.GetValue<string>(), Does.Contain("本批中已有相同编号"));
        Assert.That(lines[4]!["errors"]!.AsObject().Select(e => e.Key), Is.SupersetOf(new[] { "reference", "receivedAt" }));

        // The clue keeps its original receipt time and its channel; its clocks count from that receipt.
        var clue = await hotline.GetObjectAsync($"/api/clues/{lines[0]!["clueId"]!.GetValue<long>()}");
        Assert.That((clue["channel"]!.Str("id"), clue.Str("receivedAt")), Is.EqualTo(("hotline-12345", "2026-11-24T16:40:00+08:00")));
        Assert.That(clue.Str("trackingCode"), Is.EqualTo(lines[0]!.Str("trackingCode")));

        var again = await ImportAsync(hotline, "hotline-12345", rows);
        Assert.That((again["created"]!.GetValue<int>(), again["existing"]!.GetValue<int>(), again["refused"]!.GetValue<int>()), Is.EqualTo((0, 2, 3)));
        Assert.That(again["rows"]![0]!["clueId"]!.GetValue<long>(), Is.EqualTo(lines[0]!["clueId"]!.GetValue<long>()));
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(2));

        // The same reference with other content is refused, naming the clue it already is.
        var changed = await ImportAsync(hotline, "hotline-12345", Row("12345-20261124-0001", r => r["amountOwed"] = 1m));
        Assert.That(changed["rows"]![0]!.Str("outcome"), Is.EqualTo("refused"));
        Assert.That(changed["rows"]![0]!["errors"]!["reference"]![0]!.GetValue<string>(), Does.Contain(lines[0]!.Str("trackingCode")));
        // References are per source: the platform's 0001 is another clue.
        Assert.That((await ImportAsync(hotline, "national-platform", Row("12345-20261124-0001")))["created"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_CSV_batch_is_read_by_its_header_and_a_bad_cell_refuses_only_its_row()
    {
        var hotline = await TestHost.As("hotline");
        var csv = """
            reference,receivedAt,districtId,complainantName,complainantPhone,employerName,workerCount,amountOwed,description
            P-001,2026-11-24T10:00:00+08:00,370303,王强,13905331111,"淄博某建筑劳务有限公司, 张店项目部",12,86000.50,"项目完工三个月，12名工人工资未结清。"
            P-002,2026-11-24T10:05:00+08:00,370303,李娜,13905332222,淄博某餐饮管理有限公司,three,5000,拖欠两个月工资
            """;
        var response = await hotline.Http.PostAsync("/api/imports?source=national-platform", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var report = await Api.ExpectAsync(response, HttpStatusCode.OK);
        Assert.That((report["created"]!.GetValue<int>(), report["refused"]!.GetValue<int>()), Is.EqualTo((1, 1)));
        Assert.That(report["rows"]![1]!["errors"]!["workerCount"]![0]!.GetValue<string>(), Is.EqualTo("须为整数"));
        var clue = await hotline.GetObjectAsync($"/api/clues/{report["rows"]![0]!["clueId"]!.GetValue<long>()}");
        Assert.That((clue["employer"]!.Str("name"), clue["amountOwed"]!.GetValue<decimal>()), Is.EqualTo(("淄博某建筑劳务有限公司, 张店项目部", 86000.50m)));

        var wrong = await hotline.Http.PostAsync("/api/imports?source=national-platform", new StringContent("reference,phone\nX,1\n", Encoding.UTF8, "text/csv"));
        var problem = await Api.ExpectAsync(wrong, HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["file"]![0]!.GetValue<string>(), Does.Contain("不认识的列：phone"));
        var noSource = await hotline.Http.PostAsync("/api/imports", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.That((await Api.ExpectAsync(noSource, HttpStatusCode.BadRequest))["errors"]!["source"], Is.Not.Null);
        Assert.That(await CountAsync("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(1));
    }

    [Test]
    public async Task The_results_are_sent_back_by_reference_with_state_feedback_and_outcome_and_a_caseworker_may_not_export_them()
    {
        var hotline = await TestHost.As("hotline");
        var report = await ImportAsync(hotline, "hotline-12345", Row("12345-A"), Row("12345-B", r => r["complainantPhone"] = "13905330000"));
        var id = report["rows"]![0]!["clueId"]!.GetValue<long>();
        var cw = await TestHost.As("cw.zd");
        await cw.DoAsync(id, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });

        var results = await hotline.GetArrayAsync("/api/imports/results?source=hotline-12345");
        Assert.That(results.Select(r => (r!.Str("reference"), r!.Str("state"))), Is.EqualTo(new[] { ("12345-A", "accepted"), ("12345-B", "received") }));
        Assert.That(results[0]!.Str("stateName"), Is.EqualTo("已受理"));
        Assert.That(results[0]!["feedbackAt"], Is.Null, "no 3-day feedback yet");
        // The nightly exchange asks only for what changed since its last run.
        Assert.That(await hotline.GetArrayAsync("/api/imports/results?source=hotline-12345&since=2026-11-25T09:00:00%2B08:00"), Has.Count.EqualTo(2));
        Assert.That(await hotline.GetArrayAsync("/api/imports/results?source=hotline-12345&since=2026-11-26T09:00:00%2B08:00"), Is.Empty);
        Assert.That((await hotline.Http.GetAsync("/api/imports/results?source=hotline-12345&since=yesterday")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var csv = await hotline.Http.GetAsync("/api/imports/results?source=hotline-12345&format=csv");
        Assert.That(csv.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var text = await csv.Content.ReadAsStringAsync();
        Assert.That(text, Does.Contain("来源编号").And.Contain("12345-A").And.Contain("已受理"));
        Assert.That(text, Does.Not.Contain("13905330000"), "no complainant data goes back");

        Assert.That((await cw.Http.GetAsync("/api/imports/results?source=hotline-12345")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await hotline.Http.GetAsync("/api/imports/results?source=walk-in")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
