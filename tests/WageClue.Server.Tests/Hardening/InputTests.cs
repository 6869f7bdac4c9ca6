using System.Net;
using System.Text.Json.Nodes;

namespace WageClue.Server.Tests.Hardening;

/// <summary>
/// Inputs an attacker tried that once gave a 500 or slipped through (issue 13, findings 5, 6 and 9): each is a 400 naming
/// the field, and nothing is written.
/// </summary>
public class InputTests : ApiTest
{
    private static long Id(string user) => TestHost.UserIds[user];

    [Test]
    public async Task A_key_given_twice_in_a_json_body_is_refused_naming_it()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        var before = await TestHost.TableCountsAsync();
        var problem = await Api.ExpectAsync(await cw.PostAsync($"/api/clues/{id}/actions/accept",
            $$"""{"assigneeId":{{Id("cw.zd")}},"assigneeId":{{Id("cw2.zd")}}}"""), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["assigneeId"], Is.Not.Null, problem.ToJsonString());
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));

        var intake = await Api.ExpectAsync(await cw.PostAsync("/api/clues",
            Api.NewClue().ToJsonString().Replace("\"channel\":", "\"employerName\":\"别的公司\",\"channel\":")), HttpStatusCode.BadRequest);
        Assert.That(intake["errors"]!["employerName"], Is.Not.Null, intake.ToJsonString());
    }

    private static IEnumerable<TestCaseData> BadText()
    {
        TestCaseData Case(string name, string field, string value) => new TestCaseData(field, value).SetName(name);
        yield return Case("NUL in the employer name", "employerName", "淄博\u0000某公司");
        yield return Case("NUL in the description", "description", "拖欠三个月\u0000工资");
        yield return Case("CR LF in the employer name", "employerName", "淄博某公司\r\nBcc: thief@example.com");
        yield return Case("LF in the complainant name", "complainantName", "张三\n李四");
        yield return Case("A line separator in the employer name", "employerName", "淄博某公司\u2028Bcc: thief@example.com");
        yield return Case("A bidi override in the employer name", "employerName", "淄博\u202E司公某");
        yield return Case("A bidi isolate in the complainant name", "complainantName", "张\u2066三");
        yield return Case("51 emoji in a 50-character name", "complainantName", string.Concat(Enumerable.Repeat("👍🏽", 51)));
    }

    [TestCaseSource(nameof(BadText))]
    public async Task Text_with_control_or_bidi_characters_or_too_long_is_refused_naming_the_field(string field, string value)
    {
        var cw = await TestHost.As("cw.zd");
        var before = await TestHost.TableCountsAsync();
        var problem = await Api.ExpectAsync(await cw.PostAsync("/api/clues", Api.NewClue(c => c[field] = value).ToJsonString()), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]![field], Is.Not.Null, problem.ToJsonString());
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_lone_surrogate_is_refused_naming_the_field()
    {
        var cw = await TestHost.As("cw.zd");
        var json = Api.NewClue(c => c["employerName"] = "淄博SURROGATE某公司").ToJsonString().Replace("SURROGATE", "\\ud800");
        var problem = await Api.ExpectAsync(await cw.PostAsync("/api/clues", json), HttpStatusCode.BadRequest);
        Assert.That(problem["errors"]!["employerName"], Is.Not.Null, problem.ToJsonString());
    }

    [Test]
    public async Task Characters_are_counted_as_people_count_them_and_a_description_keeps_its_lines()
    {
        var cw = await TestHost.As("cw.zd");
        // 50 thumbs with a skin tone are 50 characters (200 UTF-16 units), within the limit of 50.
        var name = string.Concat(Enumerable.Repeat("👍🏽", 50));
        var clue = await cw.RegisterAsync(Api.NewClue(c =>
        {
            c["complainantName"] = name;
            c["description"] = "一、拖欠工资三个月\r\n二、涉及二十人\n\t三、已多次讨要";
        }));
        var full = await cw.GetObjectAsync($"/api/clues/{clue.Id()}/complainant");
        Assert.That(full.Str("name"), Is.EqualTo(name));
        Assert.That(clue.Str("description"), Does.Contain("\n二、涉及二十人"));
    }

    [Test]
    public async Task An_action_field_refuses_a_line_break_in_one_line_and_keeps_it_in_a_paragraph()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = Id("cw.zd") });
        await cw.DoAsync(id, "connect", new { whom = "淄博某某配送服务有限公司 王经理", how = "phone", note = "已电话联系用人单位\n约定明日到场" });
        var before = await TestHost.TableCountsAsync();
        var nul = await Api.ExpectAsync(await cw.ActAsync(id, "feedback", new { message = "已反馈\u0000" }), HttpStatusCode.BadRequest);
        Assert.That(nul["errors"]!["message"], Is.Not.Null, nul.ToJsonString());
        var newline = await Api.ExpectAsync(await cw.ActAsync(id, "file-case", new { caseNumber = "淄人社监〔2026〕12号\r\nBcc: x" }), HttpStatusCode.BadRequest);
        Assert.That(newline["errors"]!["caseNumber"], Is.Not.Null, newline.ToJsonString());
        Assert.That(await TestHost.TableCountsAsync(), Is.EqualTo(before));
    }

    [TestCase("/dashboard?overduePage=999999999")]
    [TestCase("/dashboard?todayPage=2147483647")]
    [TestCase("/workbench?minePage=999999999")]
    [TestCase("/workbench?queuePage=2147483647")]
    [TestCase("/clues?page=2147483647")]
    public async Task A_page_number_far_past_the_end_is_no_500(string url)
    {
        var page = await PageClient.LoginAsync(url.StartsWith("/dashboard", StringComparison.Ordinal) ? "sup.zd" : "cw.zd");
        var response = await page.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task An_email_shows_every_value_on_its_own_line_without_a_forged_header_or_link()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        // A name stored before intake refused line breaks (or written by another system) must still not forge lines.
        await using (var conn = new Npgsql.NpgsqlConnection(TestHost.ConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand(
                "UPDATE wageclue.clues SET employer_name = E'淄博某公司\\r\\nBcc: thief@example.com\\nhttps://evil.example/login' WHERE id = @id", conn);
            cmd.Parameters.AddWithValue("id", id);
            await cmd.ExecuteNonQueryAsync();
        }
        Time.SetUtcNow(Local("2026-11-25T17:30:00"));
        await Jobs.SweepAsync();
        await Jobs.DrainAsync();
        var body = TestSmtp.Messages.First().TextBody ?? "";
        var lines = body.Split('\n');
        Assert.That(lines.Where(l => l.TrimStart().StartsWith("Bcc", StringComparison.OrdinalIgnoreCase)), Is.Empty, body);
        Assert.That(body, Does.Not.Contain("https://evil"), body);
        Assert.That(lines.Single(l => l.StartsWith("用人单位：", StringComparison.Ordinal)), Does.Contain("Bcc: thief@example.com"));
        Assert.That(body, Does.Contain($"https://wageclue.test/clues/{id}"), "the service's own link stays a link");
    }
}
