using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Districts;
using WageClue.Server.Features.Shared;
using WageClue.Server.Features.Workbench;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Clues;

/// <summary>
/// 线索查询: one search box (a tracking code, a credit code, the complainant's phone or its last digits, a name, part
/// of an employer's name; SearchTerm reads which) and the dashboard's filters, over the clues the caller may read,
/// newest first. With the box empty it is the list of all the clues of the caller's districts.
/// </summary>
[Authorize(Roles = $"{Roles.Caseworker},{Roles.Supervisor},{Roles.Leader}")]
public sealed class IndexModel(ClueRepository clues, ClueWorkflow workflow, DistrictRepository districts, UserRepository users,
    Calendar.CalendarStore calendars, Npgsql.NpgsqlDataSource db, TimeProvider time) : AppPage
{
    public const int PageSize = 25;

    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? District { get; set; }
    [BindProperty(SupportsGet = true)] public string? State { get; set; }
    [BindProperty(SupportsGet = true)] public string? Assignee { get; set; }
    [BindProperty(SupportsGet = true)] public string? Channel { get; set; }
    [BindProperty(SupportsGet = true, Name = "page")] public int PageNumber { get; set; } = 1;

    public FilterChoices Choices { get; private set; } = new([], []);
    public WorkflowDefinition Definition => workflow.CurrentDefinition;
    public SearchTerm? Term { get; private set; }
    public string? Error { get; private set; }
    public IReadOnlyList<ClueListItem> Items { get; private set; } = [];
    public long Total { get; private set; }
    public bool TotalCapped { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Choices = await FilterAsync();
        var filter = Filter();
        if (filter == null) return Page();
        var (items, total) = await Workbench.IndexModel.List(clues, workflow, await calendars.GetAsync(db), filter, time.GetUtcNow());
        Items = items;
        TotalCapped = total > ClueEndpoints.SearchCountLimit;
        Total = Math.Min(total, ClueEndpoints.SearchCountLimit);
        return Page();
    }

    /// <summary>Every clue the search finds (up to the count's limit, not one page) as CSV or Excel.</summary>
    public async Task<IActionResult> OnGetExportAsync(string format = Export.CsvFormat)
    {
        if (!Export.IsFormat(format)) return BadRequest();
        Choices = await FilterAsync();
        PageNumber = 1;
        if (Filter() is not { } filter) return BadRequest();
        var (items, _) = await Workbench.IndexModel.List(clues, workflow, await calendars.GetAsync(db),
            filter with { Page = 1, PageSize = ClueEndpoints.SearchCountLimit }, time.GetUtcNow());
        var day = workflow.CurrentEngine.ToLocal(time.GetUtcNow()).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return Export.File(format, Term != null ? "线索查询结果" : "本区县线索", day,
            ["线索编号", "用人单位", "区县", "状态", "最近时限", "情况", "承办人", "接收时间"],
            items.Select(i => new[] { i.TrackingCode, i.Employer, i.District, i.State, i.Next is { } n ? $"{n.Name} {n.Due}" : "无进行中的时限",
                i.Next?.Status ?? "", i.Assignee ?? "未分派", i.Received }).ToList());
    }

    private Task<FilterChoices> FilterAsync() => FilterChoices.LoadAsync(districts, users, Me);

    /// <summary>The query as a filter within what the caller may read; null (with Error set) when it cannot be run.</summary>
    private ClueFilter? Filter()
    {
        (Term, Error) = SearchTerm.Parse(Q);
        District = string.IsNullOrEmpty(District) || Choices.Districts.All(d => d.Id != District) ? null : District;
        State = Definition.States.Any(s => s.Id == State) ? State : null;
        Channel = Channel != null && Channels.Names.ContainsKey(Channel) ? Channel : null;
        long? assigneeId = long.TryParse(Assignee, NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;
        // Past 40 pages (1 000 rows) a caseworker narrows the search instead; it also keeps OFFSET bounded.
        PageNumber = Math.Clamp(PageNumber, 1, ClueEndpoints.SearchCountLimit / PageSize);
        if (Error != null) return null;
        return new ClueFilter(AccessPolicy.Scope(Me), State, District, assigneeId, Assignee == "none", false, null, false, PageNumber, PageSize,
            Search: Term, Channel: Channel, CountLimit: ClueEndpoints.SearchCountLimit);
    }

    /// <summary>The page's query without its page number, for the pager and the export links.</summary>
    public string Query => string.Join("&", new[] { ("q", Q), ("district", District), ("state", State), ("assignee", Assignee), ("channel", Channel) }
        .Where(p => !string.IsNullOrEmpty(p.Item2)).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
}
