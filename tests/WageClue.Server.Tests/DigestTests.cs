namespace WageClue.Server.Tests;

public class DigestTests : ApiTest
{
    private static async Task<long> DigestsAsync() =>
        await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.email_outbox WHERE kind = 'digest'");

    [Test]
    public async Task None_on_an_ordinary_Sunday()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"));
        Time.SetUtcNow(Local("2026-11-29T08:30:00"));

        Assert.That((await Jobs.DigestAsync()).Ran, Is.False);
        Assert.That(await DigestsAsync(), Is.Zero);
    }

    [Test]
    public async Task One_on_a_make_up_Saturday_most_overdue_first_and_only_once()
    {
        // Friday 10-09, before the make-up working Saturday 10-10 of the National Day arrangement.
        TestHost.App.ResetTime(Local("2026-10-09T10:05:00"));
        var cw = await TestHost.As("cw.zd");
        var older = (await cw.RegisterAsync(Api.NewClue(c => { c["receivedAt"] = "2026-10-09T09:00:00+08:00"; c["employerName"] = "较早的单位"; }))).Id();
        var newer = (await cw.RegisterAsync(Api.NewClue(c => { c["receivedAt"] = "2026-10-09T10:00:00+08:00"; c["employerName"] = "较晚的单位"; }))).Id();
        await cw.DoAsync(newer, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] }); // its connect clock is due today, 10-10
        var other = await TestHost.As("cw.zc");
        await other.RegisterAsync(Api.NewClue(c => c["districtId"] = "370302"));

        Time.SetUtcNow(Local("2026-10-10T08:30:00"));
        var result = await Jobs.DigestAsync();
        Assert.That(result, Is.EqualTo(new Features.Notifications.DigestResult(true, 2)), "sup.zd and sup.zc; nothing for leaders");
        Assert.That((await Jobs.DigestAsync()).EmailsQueued, Is.Zero, "a second run the same day sends nothing");
        await Jobs.DrainAsync();

        var digest = TestSmtp.Messages.Single(m => m.To() == "sup.zd@test.local");
        Assert.That(digest.Subject, Is.EqualTo("【每日督办】2026年10月10日：已超时 1 件，今日到期 1 件"));
        var body = digest.TextBody;
        // Overdue time is working time, as the deadline was counted and the pages show it: none has passed between
        // 17:30 yesterday and 08:30 (15 hours of calendar time), and the deadline itself is named beside it.
        Assert.That(body, Does.Contain("较早的单位｜张店区｜当日受理超时不足1分钟（时限 2026年10月9日 17:30）").And.Contain("较晚的单位｜张店区｜次日对接时限 2026年10月10日 17:30"));
        Assert.That(body.IndexOf("较早的单位", StringComparison.Ordinal), Is.LessThan(body.IndexOf("较晚的单位", StringComparison.Ordinal)));
        Assert.That(body, Does.Contain($"https://wageclue.test/clues/{older}").And.Not.Contain("刘洋").And.Not.Contain("13905331234"));
        Assert.That(TestSmtp.Messages.Single(m => m.To() == "sup.zc@test.local").TextBody, Does.Not.Contain("张店"), "each supervisor sees their districts only");
    }

    [Test]
    public async Task None_for_a_supervisor_with_nothing_due_today()
    {
        var cw = await TestHost.As("cw.zd");
        var id = (await cw.RegisterAsync()).Id();
        await cw.DoAsync(id, "accept", new { assigneeId = TestHost.UserIds["cw.zd"] });
        await cw.DoAsync(id, "connect", new { whom = "单位负责人", how = "phone" });
        await cw.DoAsync(id, "feedback", new { message = "已联系单位。" });
        var other = await TestHost.As("cw.zc");
        await other.RegisterAsync(Api.NewClue(c => { c["districtId"] = "370302"; c["receivedAt"] = "2026-11-24T10:00:00+08:00"; }));

        Time.SetUtcNow(Local("2026-11-26T08:30:00"));
        await Jobs.DigestAsync();
        await Jobs.DrainAsync();
        Assert.That(TestSmtp.Messages.Select(m => m.To()), Is.EqualTo(new[] { "sup.zc@test.local" }));
    }

    [Test]
    public async Task Not_before_its_time()
    {
        var cw = await TestHost.As("cw.zd");
        await cw.RegisterAsync(Api.NewClue(c => c["receivedAt"] = "2026-11-20T10:00:00+08:00"));
        Time.SetUtcNow(Local("2026-11-26T08:29:00"));
        Assert.That((await Jobs.DigestAsync()).Ran, Is.False);
        Time.SetUtcNow(Local("2026-11-26T08:30:00"));
        Assert.That((await Jobs.DigestAsync()).EmailsQueued, Is.EqualTo(1));
    }
}
