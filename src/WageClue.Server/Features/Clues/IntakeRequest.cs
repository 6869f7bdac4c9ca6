using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Validation;

namespace WageClue.Server.Features.Clues;

public sealed class ClueOptions
{
    /// <summary>The definition new clues start with (its highest version).</summary>
    public string DefinitionId { get; set; } = "wage-arrears-clue";

    /// <summary>How far back a late-entered clue's receipt time may lie (a forwarded letter, a platform transfer).</summary>
    public TimeSpan MaxBackdating { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How far back an intake looks for likely duplicates (the same phone or employer).</summary>
    public TimeSpan DuplicateWindow { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A receipt time up to this far ahead of the server's clock is taken as "now" (another system's clock drift); further ahead is refused.</summary>
    public TimeSpan FutureTolerance { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>The intake form as it arrives. Everything nullable so that each missing field gets its own message.</summary>
/// <param name="EmployerId">An existing employer the caseworker confirmed is the one meant (the intake form's match); without it the
/// clue links to the employer of its credit code, or of its name.</param>
public sealed record IntakeRequest(
    string? Channel,
    string? DistrictId,
    string? ComplainantName,
    string? ComplainantPhone,
    string? ComplainantIdNumber,
    string? EmployerName,
    string? EmployerCreditCode,
    string? Industry,
    int? WorkerCount,
    decimal? AmountOwed,
    string? Description,
    string? ReceivedAt,
    long? EmployerId = null);

/// <summary>An intake that passed every check, normalised.</summary>
public sealed record ValidIntake(
    string Channel,
    string DistrictId,
    string ComplainantName,
    string ComplainantPhone,
    string? ComplainantIdNumber,
    string EmployerName,
    string? EmployerCreditCode,
    string? Industry,
    int WorkerCount,
    decimal AmountOwed,
    string Description,
    DateTimeOffset ReceivedAt,
    long? EmployerId = null,
    ClueSource? Source = null);

/// <summary>The system a clue was imported from, its reference there, and the hash of the row as imported (Features/Imports).</summary>
public sealed record ClueSource(string System, string Reference, byte[] Hash);

public static class IntakeValidation
{
    public static (ValidIntake? Intake, Dictionary<string, string[]> Errors) Validate(
        IntakeRequest r, IReadOnlySet<string> districts, DateTimeOffset now, ClueOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];

        if (r.Channel == null) Fail("channel", "请选择线索来源");
        else if (!Channels.Names.ContainsKey(r.Channel)) Fail("channel", $"线索来源须为以下之一：{string.Join("、", Channels.Names.Keys)}");

        if (r.DistrictId == null) Fail("districtId", "请选择所属区县");
        else if (!districts.Contains(r.DistrictId)) Fail("districtId", "没有这个区县");

        var name = Text(r.ComplainantName, "complainantName", "反映人姓名", 50, required: true, errors);
        var phone = ChineseIdentifiers.Normalize(r.ComplainantPhone);
        if (string.IsNullOrEmpty(phone)) Fail("complainantPhone", "请填写联系电话");
        else if (!ChineseIdentifiers.IsValidPhone(phone)) Fail("complainantPhone", "联系电话须为 11 位手机号或带区号的固定电话");

        var idNumber = string.IsNullOrWhiteSpace(r.ComplainantIdNumber) ? null : ChineseIdentifiers.Normalize(r.ComplainantIdNumber);
        if (idNumber != null && !ChineseIdentifiers.IsValidResidentId(idNumber)) Fail("complainantIdNumber", "身份证号码不正确（18 位，校验位须正确）");

        var employer = Text(r.EmployerName, "employerName", "用人单位名称", 200, required: true, errors);
        var creditCode = string.IsNullOrWhiteSpace(r.EmployerCreditCode) ? null : ChineseIdentifiers.Normalize(r.EmployerCreditCode);
        if (creditCode != null && !ChineseIdentifiers.IsValidCreditCode(creditCode)) Fail("employerCreditCode", "统一社会信用代码不正确（18 位，校验位须正确）");

        if (r.Industry != null && !Industries.Names.ContainsKey(r.Industry)) Fail("industry", $"行业须为以下之一：{string.Join("、", Industries.Names.Keys)}");

        if (r.WorkerCount == null) Fail("workerCount", "请填写涉及人数");
        else if (r.WorkerCount < 1) Fail("workerCount", "涉及人数至少为 1");
        else if (r.WorkerCount > 100_000) Fail("workerCount", "涉及人数超出范围");

        if (r.AmountOwed == null) Fail("amountOwed", "请填写欠薪金额");
        else if (r.AmountOwed < 0) Fail("amountOwed", "欠薪金额不能为负数");
        else if (decimal.Round(r.AmountOwed.Value, 2) != r.AmountOwed) Fail("amountOwed", "欠薪金额最多两位小数");
        else if (r.AmountOwed > 999_999_999_999.99m) Fail("amountOwed", "欠薪金额超出范围");

        var description = Text(r.Description, "description", "反映内容", 4000, required: true, errors, TextKind.MultiLine);

        var receivedAt = now;
        if (r.ReceivedAt != null)
        {
            if (!Timestamps.TryParseWithOffset(r.ReceivedAt, out var parsed))
                Fail("receivedAt", "接收时间" + Timestamps.FormatHint);
            else if (parsed > now + options.FutureTolerance) Fail("receivedAt", "接收时间不能晚于当前时间");
            else if (parsed < now - options.MaxBackdating) Fail("receivedAt", $"接收时间不能早于 {options.MaxBackdating.TotalDays:0} 天前");
            else receivedAt = parsed > now ? now : parsed;
        }

        if (errors.Count > 0) return (null, errors);
        return (new ValidIntake(r.Channel!, r.DistrictId!, name!, phone!, idNumber, employer!, creditCode, r.Industry,
            r.WorkerCount!.Value, r.AmountOwed!.Value, description!, receivedAt, r.EmployerId), errors);
    }

    private static string? Text(string? value, string field, string label, int max, bool required, Dictionary<string, string[]> errors,
        TextKind kind = TextKind.SingleLine)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) errors[field] = [$"请填写{label}"];
            return null;
        }
        var (text, problem) = TextRules.Check(value, label, max, kind);
        if (problem != null) errors[field] = [problem];
        return text;
    }
}
