using WageClue.Workflows.Validation;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using WageClue.Server.Features.Clues;

namespace WageClue.Server.Features.Tracking;

public sealed record ProgressStep(DateTimeOffset At, string Event, string? Detail);

public sealed record Progress(string TrackingCode, string State, string StateName, string District, DateOnly ReceiptDay,
    IReadOnlyList<ProgressStep> Steps);

/// <summary>
/// The complainant's progress lookup (like the national platform's 进度查询), for the API and the /track page: the
/// tracking code and the last four digits of the phone the complainant gave, so a code read off someone else's
/// slip shows nothing. It says what happened and when, never a name, a phone, the assignee, the employer or what
/// the bureau wrote for itself; only a rejection's reason and the outcome's kind are meant for the complainant.
/// </summary>
public sealed partial class ProgressLookup(ClueRepository clues, ClueWorkflow workflow)
{
    public abstract record Result
    {
        public sealed record Found(Progress Progress) : Result;
        public sealed record Invalid(Dictionary<string, string[]> Errors) : Result;
        /// <summary>No such code, or the digits do not match: the same answer, so neither is revealed.</summary>
        public sealed record NotFound : Result;
    }

    /// <summary>What the complainant is told at intake: the code and where to look it up.</summary>
    public static string HowToLookUp(string trackingCode, string baseUrl) =>
        $"查询码 {trackingCode}，可在 {baseUrl.TrimEnd('/')}/track 输入查询码和登记手机号后4位查询办理进度";

    public async Task<Result> LookUpAsync(string? trackingCode, string? phoneLast4)
    {
        var errors = new Dictionary<string, string[]>();
        var code = ChineseIdentifiers.Normalize(trackingCode) ?? "";
        if (!CodePattern().IsMatch(code)) errors["trackingCode"] = ["查询码格式不正确（ZB 开头，共 12 位）"];
        var digits = ChineseIdentifiers.Normalize(phoneLast4) ?? "";
        if (!DigitsPattern().IsMatch(digits)) errors["phoneLast4"] = ["请填写登记时所留电话号码的后4位数字"];
        if (errors.Count > 0) return new Result.Invalid(errors);

        var clue = await clues.FindByTrackingCodeAsync(code);
        var expected = clue?.ComplainantPhone is { Length: >= 4 } phone ? phone[^4..] : "????";
        // Compared in constant time, so the answer's timing does not tell a near miss either.
        if (clue == null | !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(digits)))
            return new Result.NotFound();

        var engine = workflow.EngineFor(clue!);
        var steps = new List<ProgressStep>();
        foreach (var h in await clues.HistoryAsync(clue!.Id))
        {
            var at = engine.ToLocal(h.At);
            if (h.Kind == "registered") steps.Add(new ProgressStep(at, "已登记", null));
            else if (h.Kind == "action" && h.FromState != h.ToState)
                steps.Add(new ProgressStep(at, engine.StateName(h.ToState!), h.ToState switch
                {
                    "rejected" => clue.RejectionReason,
                    "resolved" when clue.OutcomeType != null => engine.AttributeLabel("outcomeType", clue.OutcomeType),
                    "transferred" when clue.TransferReceiver != null => "移送至" + engine.AttributeLabel("transferReceiver", clue.TransferReceiver),
                    _ => null,
                }));
            else if (h.Kind == "action" && h.Action == "feedback") steps.Add(new ProgressStep(at, "已告知处理进展", null));
            // Reassignments, urges, extensions and recomputed deadlines are the bureau's internal business.
        }
        return new Result.Found(new Progress(clue.TrackingCode, clue.State, engine.StateName(clue.State), clue.DistrictName, clue.ReceiptDay, steps));
    }

    [GeneratedRegex("^ZB[2-9A-HJ-NP-Z]{10}$")]
    private static partial Regex CodePattern();

    [GeneratedRegex("^[0-9]{4}$")]
    private static partial Regex DigitsPattern();
}
