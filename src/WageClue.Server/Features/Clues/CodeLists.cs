namespace WageClue.Server.Features.Clues;

/// <summary>Where a clue came from (渠道). The ids are stable API values; the names are what users see.</summary>
public static class Channels
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["hotline-12345"] = "12345热线",
        ["national-platform"] = "全国根治欠薪线索反映平台",
        ["walk-in"] = "窗口来访",
        ["letters-visits"] = "信访转办",
        ["inspection"] = "排查发现",
        ["transfer"] = "其他部门移交",
    };
}

public static class Industries
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["construction"] = "建筑业",
        ["manufacturing"] = "制造业",
        ["platform"] = "平台经济（新就业形态）",
        ["services"] = "住宿餐饮及服务业",
        ["other"] = "其他",
    };
}

/// <summary>办理方式: the route a clue takes (v1's start-handling field; v2's 开始调解 and 立案查处 set it).</summary>
public static class Routes
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["mediation"] = "调解",
        ["enforcement"] = "执法（立案查处）",
        ["transfer"] = "移送",
    };
}
