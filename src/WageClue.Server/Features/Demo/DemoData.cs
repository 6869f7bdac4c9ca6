using System.Text.Json;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Demo;

public sealed class DemoDataOptions
{
    /// <summary>Loads demo users and clues at start-up when the database has no users. The README's run command sets it; production never does.</summary>
    public bool Enabled { get; set; }
}

/// <summary>
/// Demo users of every role and a handful of clues in various states, made through the same intake and action code
/// as the API. Runs only on a database without users, so a restart keeps whatever the demo user changed.
/// </summary>
public sealed class DemoData(UserRepository users, Passwords passwords, ClueWorkflow workflow, ClueRepository clues, TimeProvider time,
    IServiceProvider services, Employers.CreditRecordService credit, ILogger<DemoData> logger)
{
    public const string Password = "WageClue-demo-2026";

    private static readonly string[] AllDistricts =
        ["370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323", "zb-hitech", "zb-econdev", "zb-wenchanghu"];

    private static readonly (string Username, string Name, string Role, string[] Districts)[] People =
    [
        ("admin", "系统管理员", Roles.Admin, []),
        // Reads the audit logs, and only them: separate from the administrator (GB/T 22239 level 3).
        ("zhoushen", "周审", Roles.Auditor, []),
        ("zhangmin", "张敏", Roles.Caseworker, ["370303"]),
        ("liqiang", "李强", Roles.Caseworker, ["370303"]),
        ("wangfang", "王芳", Roles.Supervisor, ["370303"]),
        ("zhaolei", "赵磊", Roles.Caseworker, ["370302"]),
        ("sunli", "孙丽", Roles.Supervisor, ["370302", "370304"]),
        // A leader acts (督办, approving a case's extension) in the districts given to them: here the whole city.
        ("chenju", "陈局长", Roles.Leader, AllDistricts),
        // Another system: registers clues in any district, reads back only its own, holds and acts on none.
        ("hotline", "12345热线接口", Roles.Integration, []),
    ];

    public async Task SeedAsync()
    {
        if ((await users.ListAsync()).Count > 0)
        {
            logger.LogInformation("Demo data: the database already has users; nothing loaded.");
            return;
        }
        var hash = passwords.Hash(Password);
        var now = time.GetUtcNow();
        var ids = new Dictionary<string, CurrentUser>();
        foreach (var p in People)
        {
            // The integration account has no mailbox: escalations record it as skipped, as they would for any such user.
            var email = p.Username == "hotline" ? null : $"{p.Username}@wageclue.local";
            var id = await users.CreateAsync(new NewUser(p.Username, p.Name, email, p.Role, p.Districts, hash), now);
            ids[p.Username] = CurrentUser.From((await users.FindByIdAsync(id!.Value))!);
        }
        var hotline = ids["hotline"];
        var zhang = ids["zhangmin"];

        // A platform agent owes six riders: just in from the hotline, waiting in the district's queue.
        await Register(hotline, "hotline-12345", "370303", "刘洋", "13905331234", "淄博某某配送服务有限公司", "platform", 6, 28600m,
            "六名外卖骑手反映平台在张店的配送代理商未支付10月工资。", now.AddMinutes(-20));
        // Accepted this morning.
        var accepted = await Register(hotline, "national-platform", "370303", "周建国", "13605339876", "淄博某建筑劳务有限公司", "construction", 12, 156000m,
            "某小区项目12名农民工反映劳务公司拖欠三个月工资。", now.AddHours(-3));
        await Fire(accepted, "accept", zhang, new { assigneeId = zhang.Id });
        // Accepted, connected and answered.
        var connected = await Register(zhang, "walk-in", "370303", "吴海燕", "05332345678", "张店某餐饮管理有限公司", "services", 3, 15800m,
            "三名服务员离职后餐厅未结清最后两个月工资。", now.AddHours(-26));
        await Fire(connected, "accept", zhang, new { assigneeId = zhang.Id });
        await Fire(connected, "connect", zhang, new { whom = "餐厅负责人 孙某", how = "phone", note = "负责人承诺本周内结清" });
        await Fire(connected, "feedback", zhang, new { message = "已联系用人单位，对方承诺本周内支付，我们将跟踪落实。", method = "phone" });
        var wang = ids["wangfang"];
        // In mediation.
        var handling = await Register(zhang, "letters-visits", "370303", "郑小龙", "15853331122", "淄博某机械制造有限公司", "manufacturing", 25, 412000m,
            "市信访局转来：25名工人反映企业停产后拖欠工资。", now.AddDays(-3));
        await Fire(handling, "accept", zhang, new { assigneeId = zhang.Id });
        await Fire(handling, "connect", zhang, new { whom = "企业法定代表人", how = "meeting" });
        await Fire(handling, "mediate", zhang, new { note = "组织劳资双方调解" });
        await Fire(handling, "request-extension", zhang, new { clock = "feedback", days = 3, reason = "25名工人的考勤与工资表需逐一核对，3日内难以答复" });
        // Waiting for the complainants' material: its clocks are paused.
        var waiting = await Register(zhang, "walk-in", "370303", "孔令军", "13953331188", "淄博某装饰工程有限公司", "construction", 5, 47500m,
            "5名装修工人反映工程款结算后工资未付，缺少考勤记录。", now.AddDays(-2));
        await Fire(waiting, "accept", zhang, new { assigneeId = zhang.Id });
        await Fire(waiting, "connect", zhang, new { whom = "项目经理 钱某", how = "phone" });
        await Fire(waiting, "suspend", zhang, new { reason = "awaiting-material", note = "请反映人补充提供考勤记录和工资约定" });
        // Resolved: the money was recovered.
        ClueRow resolved = await Register(zhang, "inspection", "370303", "马丽", "18653337788", "张店某商贸有限公司", "services", 4, 22000m,
            "排查发现某商贸公司拖欠4名员工工资。", now.AddDays(-6));
        await Fire(resolved, "accept", zhang, new { assigneeId = zhang.Id });
        await Fire(resolved, "connect", zhang, new { whom = "公司财务负责人", how = "visit" });
        await Fire(resolved, "feedback", zhang, new { message = "单位已同意分两次支付。" });
        await Fire(resolved, "file-case", zhang, new { caseNumber = "淄张人社监立〔2026〕118号" });
        await Fire(resolved, "resolve", zhang, new { outcomeType = "ordered-payment", outcome = "责令限期支付后企业已全额支付拖欠工资", amountRecovered = 22000m, workersPaid = 4 });
        await Fire(resolved, "follow-up", zhang, new { reached = "phone", satisfaction = "satisfied", note = "4名员工均已收到工资" });
        // Not a wage matter: rejected with the reason told.
        var rejected = await Register(hotline, "hotline-12345", "370303", "何强", "13705335566", "某电器销售门店", "other", 1, 0m,
            "反映商品质量问题，不属于欠薪线索。", now.AddHours(-5));
        await Fire(rejected, "reject", zhang, new { reason = "反映事项为消费纠纷，不属于欠薪线索，已告知其拨打12315。" });
        // A forwarded letter from last week: overdue the moment it was entered; the supervisor urges it.
        var letter = await Register(zhang, "letters-visits", "370303", "高峰", "13953337711", "淄博某物流有限公司", "services", 8, 64000m,
            "上周五寄来的信件：8名司机反映物流公司拖欠工资。", now.AddDays(-7));
        await Fire(letter, "urge", wang, new { trigger = "not-accepted", instruction = "信访转办件已超期，请今日内受理并报告处理计划" });
        // Another district's clue: invisible to 张店 users.
        await Register(ids["zhaolei"], "walk-in", "370302", "林涛", "13853336644", "淄川某陶瓷有限公司", "manufacturing", 9, 98000m,
            "9名工人反映陶瓷厂拖欠工资。", now.AddHours(-1));
        // 不良行为记录: the resolved clue's finding, proposed by the caseworker and waiting for the supervisor.
        await credit.RecordAsync((await clues.FindAsync(resolved.Id))!, zhang, "拖欠4名员工工资2.2万元，经责令限期支付后支付", null, null);
        await SeedListingsAsync(ids, now, handling);
        var history = await ActivatorUtilities.CreateInstance<DemoHistory>(services).SeedAsync(now,
            [("370303", [zhang, ids["liqiang"]], wang), ("370302", [ids["zhaolei"]], ids["sunli"])], hotline);
        logger.LogInformation("Demo data loaded: {Users} users, {Clues} clues (five weeks of history) and 3 listing cases. Password for every demo user: {Password}",
            People.Length, 11 + history, Password);
    }

    /// <summary>
    /// Three listing cases at different steps, and the clues they came from. Their steps lie weeks apart, so they are
    /// taken on a clock of their own: the workflow is the real one, only its time is set back to each step's day.
    /// </summary>
    private async Task SeedListingsAsync(Dictionary<string, CurrentUser> ids, DateTimeOffset now, ClueRow machine)
    {
        var (zhang, wang, zhao, sun) = (ids["zhangmin"], ids["wangfang"], ids["zhaolei"], ids["sunli"]);
        var clock = new DemoClock(now);
        var pastClues = ActivatorUtilities.CreateInstance<ClueWorkflow>(services, (TimeProvider)clock);
        var listings = ActivatorUtilities.CreateInstance<Listings.ListingWorkflow>(services, (TimeProvider)clock);
        var repository = services.GetRequiredService<Listings.ListingRepository>();
        string Day(int daysAgo) => workflow.CurrentEngine.ToLocal(now.AddDays(-daysAgo)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        async Task<ClueRow> Past(int daysAgo, CurrentUser by, string channel, string district, string name, string phone, string employer, int workers,
            decimal amount, string description, string caseNumber)
        {
            clock.Now = now.AddDays(-daysAgo);
            var intake = new ValidIntake(channel, district, name, phone, null, employer, null, "construction", workers, amount, description, clock.Now);
            var clue = (await clues.FindAsync((await pastClues.RegisterAsync(intake, by, null, [])).ClueId))!;
            foreach (var (hours, action, fields) in new (int, string, object)[]
            {
                (1, "accept", new { assigneeId = by.Id }),
                (20, "connect", new { whom = "用人单位负责人", how = "meeting" }),
                (26, "feedback", new { message = "已约谈用人单位，将依法责令限期支付。", method = "phone" }),
                (30, "file-case", new { caseNumber }),
            })
            {
                clock.Now = now.AddDays(-daysAgo).AddHours(hours);
                var json = JsonSerializer.SerializeToElement(fields, JsonSerializerOptions.Web);
                var outcome = await pastClues.FireAsync((await clues.FindAsync(clue.Id))!, action, by, json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value));
                if (outcome is not ActionOutcome.Done) throw new InvalidOperationException($"Demo action {action} failed: {outcome}");
            }
            return clue;
        }
        async Task<long> Start(int daysAgo, CurrentUser by, ClueRow clue, int deadlineDaysAgo, decimal? amount, bool group = false)
        {
            clock.Now = now.AddDays(-daysAgo);
            var started = await listings.StartAsync(new Listings.StartListingRequest(clue.Id, null, null,
                $"淄{(clue.DistrictId == "370303" ? "张" : "川")}人社监令〔2026〕{clue.Id + 20}号", Day(deadlineDaysAgo), amount, null, group), by);
            return started is Listings.ListingStart.Created c ? c.Id : throw new InvalidOperationException($"Demo listing failed: {started}");
        }
        async Task Act(int daysAgo, long id, string action, CurrentUser by, object fields)
        {
            clock.Now = now.AddDays(-daysAgo);
            var (listing, clocks) = (await repository.FindWithClocksAsync(id))!.Value;
            var json = JsonSerializer.SerializeToElement(fields, JsonSerializerOptions.Web);
            var outcome = await listings.FireAsync(listing, action, by, json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value), clocks);
            if (outcome is not Listings.ListingOutcome.Done) throw new InvalidOperationException($"Demo listing action {action} failed: {outcome}");
        }

        // Listed three weeks ago: on the public announcement.
        var builder = await Past(62, zhang, "letters-visits", "370303", "崔永刚", "13853339900", "淄博某建设工程有限公司", 38, 426000m,
            "38名农民工反映某安置房项目总包单位拖欠工资，多次讨要未果。", "淄张人社监立〔2026〕96号");
        var listed = await Start(35, wang, builder, 40, 426000m);
        await Act(34, listed, "issue-notice", zhang, new { noticeNumber = "淄张人社失告〔2026〕5号", note = "直接送达，法定代表人签收" });
        await Act(21, listed, "decide", wang, new
        {
            decisionNumber = "淄张人社失决〔2026〕3号", reason = "拖欠38名农民工工资42.6万元，经责令限期支付逾期仍未支付",
            basis = "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条第一项", sanctions = "限制政府资金支持、政府采购、招投标、生产许可、融资贷款等（第十条）",
            removalConditions = "改正违法行为且自改正之日起被列入名单满6个月，书面作出信用承诺的，可申请提前移出（第十二条）",
            remedies = "对决定不服的，可于60日内申请行政复议或6个月内提起行政诉讼", legalRepresentative = "王建国", responsiblePersons = "李明（项目负责人）",
        });

        // The machinery works in mediation (above): the order's deadline passed ten days ago, the notice was served two days ago.
        var noticed = await Start(6, wang, machine, 10, 412000m);
        await Act(2, noticed, "issue-notice", zhang, new { noticeNumber = "淄张人社失告〔2026〕8号" });

        // 淄川: a group incident with a smaller amount; the employer objected yesterday, the reply is due within 5 working days.
        var refractory = await Past(20, zhao, "inspection", "370302", "董海", "13705330909", "淄博某耐火材料有限公司", 16, 9600m,
            "16名工人因欠薪聚集在厂门口，经现场处置后登记。", "淄川人社监立〔2026〕33号");
        var objected = await Start(12, sun, refractory, 15, null, group: true);
        await Act(9, objected, "issue-notice", zhao, new { noticeNumber = "淄川人社失告〔2026〕2号" });
        await Act(1, objected, "receive-objection", zhao, new { objection = "单位称已于本月支付10名工人工资，其余6人因劳动关系存在争议" });
    }

    private async Task<ClueRow> Register(CurrentUser by, string channel, string district, string name, string phone, string employer,
        string industry, int workers, decimal amount, string description, DateTimeOffset receivedAt)
    {
        var intake = new ValidIntake(channel, district, name, phone, null, employer, null, industry, workers, amount, description, receivedAt);
        var result = await workflow.RegisterAsync(intake, by, null, []);
        return (await clues.FindAsync(result.ClueId))!;
    }

    private async Task Fire(ClueRow clue, string action, CurrentUser by, object fields)
    {
        var current = (await clues.FindAsync(clue.Id))!;
        var json = JsonSerializer.SerializeToElement(fields, JsonSerializerOptions.Web);
        var outcome = await workflow.FireAsync(current, action, by, json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value));
        if (outcome is not ActionOutcome.Done) throw new InvalidOperationException($"Demo action {action} on clue {clue.Id} failed: {outcome}");
    }
}
