using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace WageClue.Server.Features.Tracking;

/// <summary>
/// 进度查询 for complainants, no login: the tracking code and the last four digits of their phone, posted (never in
/// the address), rate limited like the API, showing only what ProgressLookup allows.
/// </summary>
public sealed class TrackModel(ProgressLookup lookup, Infrastructure.Http.SharedRateLimits limits,
    Microsoft.Extensions.Options.IOptions<Infrastructure.AuthOptions> options) : PageModel
{
    [BindProperty] public string? TrackingCode { get; set; }
    [BindProperty] public string? PhoneLast4 { get; set; }

    public Progress? Result { get; private set; }
    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public string? Message { get; private set; }

    public void OnGet() { }

    public async Task<IActionResult> OnPostAsync()
    {
        Response.Headers.CacheControl = "no-store";
        var verdict = await limits.TakeAsync(Infrastructure.Http.SharedRateLimits.Tracking,
            Infrastructure.Http.SharedRateLimits.AddressOf(HttpContext), options.Value.TrackingLookupsPerMinute);
        if (!verdict.Allowed)
        {
            Infrastructure.Http.SharedRateLimits.SetRetryAfter(HttpContext, verdict);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Message = "查询过于频繁，请一分钟后再试。";
            return Page();
        }
        switch (await lookup.LookUpAsync(TrackingCode, PhoneLast4))
        {
            case ProgressLookup.Result.Found found: Result = found.Progress; break;
            case ProgressLookup.Result.Invalid invalid: Errors = invalid.Errors; break;
            default: Message = "没有找到对应的线索，请核对查询码和手机号后4位。"; break;
        }
        return Page();
    }

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var m) ? string.Join("；", m) : null;
}
