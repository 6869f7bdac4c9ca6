using System.Text;
using Microsoft.Playwright;

namespace WageClue.Server.Tests.Browser;

/// <summary>批量导入 in Chromium: a supervisor uploads the hotline's CSV and reads every row's outcome.</summary>
public class ImportPageTests : BrowserTest
{
    [Test]
    public async Task A_supervisor_uploads_a_CSV_batch_and_sees_each_rows_outcome_in_Chinese_and_a_second_upload_creates_nothing()
    {
        var csv = """
            reference,receivedAt,districtId,complainantName,complainantPhone,employerName,workerCount,amountOwed,description
            12345-1124-0087,2026-11-24T09:12:00+08:00,370303,王强,13905331111,淄博鲁中建筑劳务有限公司,12,86000.50,项目完工三个月，12名工人工资未结清。
            12345-1124-0088,2026-11-24T10:40:00+08:00,370303,李娜,1390533,淄博味道餐饮管理有限公司,3,15000,拖欠两个月工资
            12345-1124-0089,2026-11-24T11:05:00+08:00,370302,赵磊,13905333333,淄川某陶瓷有限公司,5,30000,拖欠工资
            """;
        var file = new FilePayload { Name = "12345-20261124.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) };
        await LoginAsync("sup.zd");
        await Page.GetByRole(AriaRole.Link, new() { Name = "批量导入" }).ClickAsync();
        await Page.GetByLabel("来源").SelectOptionAsync(new SelectOptionValue { Label = "12345热线" });
        await Page.GetByLabel("文件（CSV 或 JSON，UTF-8）").SetInputFilesAsync(file);
        await Page.GetByRole(AriaRole.Button, new() { Name = "导入" }).ClickAsync();

        var result = Page.Locator("section", new() { HasText = "导入结果" });
        await Assertions.Expect(result).ToContainTextAsync("共 3 行");
        await Assertions.Expect(result).ToContainTextAsync("新登记 1");
        await Assertions.Expect(result).ToContainTextAsync("未导入 2");
        var rows = result.Locator("tbody tr");
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("新登记");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("联系电话：");
        await Assertions.Expect(rows.Nth(2)).ToContainTextAsync("所属区县：不能为其他区县登记线索");
        Assert.That(await result.InnerTextAsync(), Does.Not.Contain("complainantPhone").And.Not.Contain("districtId"), "no internal field names");
        await ScreenshotAsync("import-result");
        await AssertFitsAPhoneAsync("import-result-phone");
        await Page.SetViewportSizeAsync(1366, 768);

        await Page.GetByLabel("来源").SelectOptionAsync(new SelectOptionValue { Label = "12345热线" });
        await Page.GetByLabel("文件（CSV 或 JSON，UTF-8）").SetInputFilesAsync(file);
        await Page.GetByRole(AriaRole.Button, new() { Name = "导入" }).ClickAsync();
        await Assertions.Expect(result).ToContainTextAsync("新登记 0");
        await Assertions.Expect(result).ToContainTextAsync("已导入过 1");
        await result.Locator("tbody tr").Nth(0).GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(Page.Locator("main")).ToContainTextAsync("淄博鲁中建筑劳务有限公司");
        Assert.That(await TestHost.ScalarAsync<long>("SELECT count(*) FROM wageclue.clues"), Is.EqualTo(1));
    }
}
