using System.Text.Json;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Clues;
using WageClue.Workflows.Sla;

namespace WageClue.Server.Features.Demo;

/// <summary>
/// Five weeks of a bureau's work, so a first-time supervisor sees what the dashboard is for: clues received on
/// working days in 张店 and 淄川, each taken through the real workflow at plausible times on a clock set back to
/// them: most accepted the same day, connected the next and answered within 3 days; some late, some extended,
/// a few rejected; older ones filed, resolved and followed up. Seeded, so every demo shows the same month.
/// </summary>
internal sealed class DemoHistory(IServiceProvider services, ClueRepository clues, CalendarStore calendars, Npgsql.NpgsqlDataSource db)
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭"];
    private static readonly string[] Given = ["建国", "秀英", "志强", "桂兰", "海燕", "立军", "红梅", "春生", "晓东", "玉兰", "永刚", "丽娟", "国庆", "凤英"];
    private static readonly (string Name, string Industry, string Story)[] Employers =
    [
        ("淄博鲁泰建筑劳务有限公司", "construction", "{0}名农民工反映某住宅项目劳务分包单位拖欠{1}个月工资"),
        ("淄博华信建设工程有限公司", "construction", "{0}名钢筋工反映总包单位未按月足额支付工资，拖欠{1}个月"),
        ("淄博金诚机械制造有限公司", "manufacturing", "车间{0}名工人反映企业以订单减少为由拖欠{1}个月工资"),
        ("淄博齐鲁陶瓷有限公司", "manufacturing", "{0}名工人反映陶瓷厂停产后未结清{1}个月工资"),
        ("淄博恒通物流有限公司", "services", "{0}名货车司机反映物流公司拖欠{1}个月运费提成和工资"),
        ("张店鑫源餐饮管理有限公司", "services", "{0}名服务员离职后餐厅未结清最后{1}个月工资"),
        ("淄博宏达装饰工程有限公司", "construction", "{0}名装修工人反映工程完工后工资{1}个月未付"),
        ("淄博瑞丰纺织有限公司", "manufacturing", "{0}名纺织女工反映企业拖欠{1}个月计件工资"),
        ("淄博速达配送服务有限公司", "platform", "{0}名外卖骑手反映配送代理商拖欠{1}个月配送费"),
        ("淄川昌盛耐火材料有限公司", "manufacturing", "{0}名工人反映耐火材料厂拖欠{1}个月工资"),
    ];
    private static readonly string[] Channels = ["hotline-12345", "hotline-12345", "national-platform", "walk-in", "letters-visits", "inspection"];

    public async Task<int> SeedAsync(DateTimeOffset now, IReadOnlyList<(string District, CurrentUser[] Caseworkers, CurrentUser Supervisor)> teams,
        CurrentUser hotline)
    {
        var clock = new DemoClock(now);
        var workflow = ActivatorUtilities.CreateInstance<ClueWorkflow>(services, (TimeProvider)clock);
        var calculator = new ClockMath(workflow.CurrentDefinition, await calendars.GetAsync(db)).Calculator;
        var random = new Random(20261202);
        var today = DateOnly.FromDateTime(calculator.ToLocal(now).DateTime);
        var made = 0;
        for (var day = today.AddDays(-35); day < today; day = day.AddDays(1))
        {
            if (!calculator.Calendar.Check(day).IsWorking) continue;
            foreach (var (district, caseworkers, supervisor) in teams)
            {
                for (var n = random.Next(district == "370303" ? 2 : 1, district == "370303" ? 5 : 3); n > 0; n--)
                {
                    var received = calculator.AtLocal(day, new TimeOnly(8, 40).AddMinutes(random.Next(0, 8 * 60))).ToUniversalTime();
                    var owner = caseworkers[random.Next(caseworkers.Length)];
                    await OneClueAsync(workflow, clock, calculator, random, now, received, district, owner, supervisor, hotline);
                    made++;
                }
            }
        }
        return made;
    }

    private async Task OneClueAsync(ClueWorkflow workflow, DemoClock clock, DeadlineCalculator calculator, Random random, DateTimeOffset now,
        DateTimeOffset received, string district, CurrentUser owner, CurrentUser supervisor, CurrentUser hotline)
    {
        var employer = Employers[random.Next(Employers.Length)];
        var workers = random.Next(1, 30);
        var channel = Channels[random.Next(Channels.Length)];
        var intake = new ValidIntake(channel, district, Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)],
            "13" + random.Next(5, 10) + random.Next(0, 100_000_000).ToString("D8", System.Globalization.CultureInfo.InvariantCulture),
            null, employer.Name, null, employer.Industry, workers, workers * random.Next(30, 120) * 100m,
            string.Format(System.Globalization.CultureInfo.InvariantCulture, employer.Story, workers, random.Next(1, 5)) + "。", received);
        clock.Now = received;
        var id = (await workflow.RegisterAsync(intake, channel.StartsWith("hotline", StringComparison.Ordinal) ? hotline : owner, null, [])).ClueId;

        // Each step at its time; a step that would lie in the future is where this clue stands today.
        async Task<bool> Step(DateTimeOffset at, string action, CurrentUser by, object fields)
        {
            if (at >= now) return false;
            clock.Now = at;
            var json = JsonSerializer.SerializeToElement(fields, JsonSerializerOptions.Web);
            var outcome = await workflow.FireAsync((await clues.FindAsync(id))!, action, by, json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value));
            return outcome is ActionOutcome.Done ? true : throw new InvalidOperationException($"Demo history: {action} failed: {outcome}");
        }
        DateTimeOffset On(int workingDays, int hour, int minute) =>
            calculator.AtLocal(DateOnly.FromDateTime(calculator.ToLocal(calculator.AddWorkingDays(received, workingDays)).DateTime), new TimeOnly(hour, minute)).ToUniversalTime();
        var roll = random.NextDouble();

        if (roll < 0.05)
        {
            await Step(calculator.AddWorkingTime(received, TimeSpan.FromHours(1)), "reject", owner, new { reason = "反映事项为劳动合同纠纷，不属于欠薪线索，已引导申请劳动仲裁。" });
            return;
        }
        // 当日受理: late one time in twelve (the next morning).
        var acceptAt = roll < 0.13 ? On(1, 9, 20) : calculator.AddWorkingTime(received, TimeSpan.FromMinutes(random.Next(20, 150)));
        if (!await Step(acceptAt, "accept", owner, new { assigneeId = owner.Id })) return;
        // 次日对接: late one time in ten.
        var connectAt = random.NextDouble() < 0.1 ? On(2, 10, 15) : On(1, random.Next(9, 16), random.Next(0, 60));
        if (connectAt < acceptAt) connectAt = acceptAt.AddMinutes(30);
        if (!await Step(connectAt, "connect", owner, new { whom = "用人单位负责人", how = random.NextDouble() < 0.7 ? "phone" : "visit" })) return;
        // 3日反馈: one in eight extended by 2 working days and answered within them, one in twelve late.
        var feedbackRoll = random.NextDouble();
        DateTimeOffset feedbackAt;
        if (feedbackRoll < 0.125)
        {
            if (!await Step(On(2, 10, 0), "request-extension", owner, new { clock = "feedback", days = 2, reason = "需调取考勤和工资发放记录逐一核对" })) return;
            if (!await Step(On(2, 15, 30), "approve-extension", supervisor, new { note = "同意延期，请按期答复" })) return;
            feedbackAt = On(4, 16, 0);
        }
        else feedbackAt = feedbackRoll < 0.21 ? On(4, 10, 30) : On(random.Next(1, 4), 16, random.Next(0, 60));
        if (feedbackAt < connectAt) feedbackAt = connectAt.AddMinutes(45);
        if (!await Step(feedbackAt, "feedback", owner, new { message = "已联系用人单位核实情况，正在督促其支付，将及时告知处理结果。", method = "phone" })) return;
        if (random.NextDouble() < 0.3) return; // still in hand
        if (!await Step(On(5, 10, 0), "file-case", owner, new { caseNumber = $"淄{(district == "370303" ? "张" : "川")}人社监立〔2026〕{id}号" })) return;
        var resolveDay = random.Next(8, 16);
        if (!await Step(On(resolveDay, 11, 0), "resolve", owner, new
            {
                outcomeType = random.NextDouble() < 0.6 ? "ordered-payment" : "mediated-payment",
                outcome = "经责令限期支付，用人单位已支付拖欠工资", amountRecovered = intake.AmountOwed, workersPaid = workers,
            })) return;
        if (random.NextDouble() < 0.15) return; // not yet called back
        var satisfaction = random.NextDouble() switch { < 0.45 => "very-satisfied", < 0.8 => "satisfied", < 0.93 => "basically-satisfied", _ => "dissatisfied" };
        await Step(On(resolveDay + random.Next(1, 4), 15, 0), "follow-up", owner, new { reached = "phone", satisfaction, note = "反映人确认已收到工资" });
    }
}

/// <summary>The demo's own clock, set to each step's time, so past steps are taken by the real workflow code.</summary>
internal sealed class DemoClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
