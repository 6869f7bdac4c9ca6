using WageClue.Workflows.Validation;
using System.Globalization;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Clues;

namespace WageClue.Server.Features.Employers;

public abstract record CreditResult
{
    public sealed record Done(CreditRecordRow Record, IReadOnlyList<CreditRevisionRow> Revisions) : CreditResult;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : CreditResult;
    public sealed record Forbidden(string Message) : CreditResult;
    public sealed record Conflict(string Message) : CreditResult;
}

/// <summary>
/// The rules of 不良行为记录, for the API and the pages alike: which clues may ground one, who proposes, confirms and
/// corrects, and what a valid record holds.
/// </summary>
public sealed class CreditRecordService(CreditRecordRepository records, ClueWorkflow workflow, TimeProvider time)
{
    /// <summary>Outcome types that are a finding of arrears: the ground of a credit record (调解支付、责令支付、行政处罚、移送公安).</summary>
    public static readonly IReadOnlySet<string> ArrearsFindings = new HashSet<string> { "mediated-payment", "ordered-payment", "penalty", "referred-police" };

    /// <summary>Resolved (or archived after) with a finding of arrears.</summary>
    public bool MayGround(ClueRow clue) =>
        (clue.State == "resolved" || workflow.EngineFor(clue).Definition.IsFinal(clue.State)) && clue.OutcomeType is { } o && ArrearsFindings.Contains(o);

    public async Task<CreditResult> RecordAsync(ClueRow clue, CurrentUser me, string? finding, decimal? amount, string? foundOn)
    {
        if (!AccessPolicy.CanRecordCredit(me, clue.DistrictId)) return new CreditResult.Forbidden("只有本区县的经办人和负责人可以登记不良行为记录");
        if (!MayGround(clue)) return new CreditResult.Conflict("只有以认定欠薪的办结类型（调解支付、责令支付、行政处罚、移送公安）办结的线索可以登记不良行为记录");
        var now = time.GetUtcNow();
        var (valid, errors) = Validate(finding, amount ?? clue.AmountOwed, foundOn, now);
        if (valid == null) return new CreditResult.Invalid(errors);
        var id = await records.RecordAsync(new NewCreditRecord(clue.EmployerId, clue.DistrictId, clue.Id, valid.Value.Finding, valid.Value.Amount, valid.Value.FoundOn), me.Id, now);
        if (id == null) return new CreditResult.Conflict("该线索已登记不良行为记录");
        return await DoneAsync(id.Value);
    }

    public async Task<CreditResult> ConfirmAsync(CreditRecordRow record, CurrentUser me, int? expectedRevision)
    {
        if (!AccessPolicy.CanConfirmCredit(me, record.DistrictId)) return new CreditResult.Forbidden("只有本区县的负责人可以确认不良行为记录");
        if (record.Status != CreditStatuses.Proposed) return new CreditResult.Conflict($"该记录{CreditStatuses.ChineseName(record.Status)}，不能再确认");
        return await records.ConfirmAsync(record.Id, expectedRevision ?? record.Revision, me.Id, time.GetUtcNow()) == CreditWrite.Done
            ? await DoneAsync(record.Id) : new CreditResult.Conflict("该记录已被他人同时更新，请刷新后重试");
    }

    /// <summary>A correction (or a withdrawal) needs a reason; what is not given stays as it was.</summary>
    public async Task<CreditResult> CorrectAsync(CreditRecordRow record, CurrentUser me, int? expectedRevision, string? finding, decimal? amount,
        string? foundOn, bool withdraw, string? reason)
    {
        if (!AccessPolicy.CanConfirmCredit(me, record.DistrictId)) return new CreditResult.Forbidden("只有本区县的负责人可以更正不良行为记录");
        var now = time.GetUtcNow();
        var (valid, errors) = Validate(finding ?? record.Finding, amount ?? record.Amount,
            foundOn ?? record.FoundOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), now);
        var why = reason?.Trim();
        if (string.IsNullOrEmpty(why)) errors["reason"] = ["请填写更正理由"];
        else if (TextRules.Check(why, "更正理由", 500, TextKind.MultiLine).Problem is { } problem) errors["reason"] = [problem];
        if (valid == null || errors.Count > 0) return new CreditResult.Invalid(errors);
        if (record.Status == CreditStatuses.Withdrawn) return new CreditResult.Conflict("该记录已撤回，不能再更正");
        var correction = new CreditCorrection(valid.Value.Finding, valid.Value.Amount, valid.Value.FoundOn, withdraw, why!);
        return await records.CorrectAsync(record.Id, expectedRevision ?? record.Revision, correction, me.Id, now) == CreditWrite.Done
            ? await DoneAsync(record.Id) : new CreditResult.Conflict("该记录已被他人同时更新，请刷新后重试");
    }

    private async Task<CreditResult> DoneAsync(long id) => new CreditResult.Done((await records.FindAsync(id))!, await records.RevisionsAsync([id]));

    private ((string Finding, decimal Amount, DateOnly FoundOn)? Valid, Dictionary<string, string[]> Errors) Validate(string? finding, decimal amount,
        string? foundOn, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        var text = finding?.Trim();
        if (string.IsNullOrEmpty(text)) errors["finding"] = ["请填写认定的欠薪事实"];
        else if (TextRules.Check(text, "认定事实", 1000, TextKind.MultiLine).Problem is { } problem) errors["finding"] = [problem];
        if (amount < 0 || decimal.Round(amount, 2) != amount || amount > 999_999_999_999.99m) errors["amount"] = ["金额须为非负数，最多两位小数"];
        var today = DateOnly.FromDateTime(workflow.CurrentEngine.ToLocal(now).DateTime);
        var day = today;
        if (!string.IsNullOrWhiteSpace(foundOn) && !DateOnly.TryParseExact(foundOn.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            errors["foundOn"] = ["认定日期须为日期（如 2026-11-20）"];
        else if (day > today) errors["foundOn"] = ["认定日期不能晚于今天"];
        return errors.Count > 0 ? (null, errors) : ((text!, amount, day), errors);
    }
}
