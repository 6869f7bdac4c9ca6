using System.Text.Json;
using WageClue.Server.Infrastructure.Http;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Instances;

/// <summary>The HTTP half of firing an action, the same for every subject's endpoint: its body and its refusals.</summary>
public static class ActionHttp
{
    /// <summary>The action's fields from the body, and its optional <c>expectedVersion</c> checked against the instance's.</summary>
    /// <param name="noun">What the instance is called in the 409's message (线索, 名单案件).</param>
    public static (Dictionary<string, JsonElement>? Fields, IResult? Error) Fields(JsonDocument body, int version, string noun)
    {
        var fields = body.RootElement.EnumerateObject().Where(p => p.Name != "expectedVersion").ToDictionary(p => p.Name, p => p.Value);
        if (!body.RootElement.TryGetProperty("expectedVersion", out var ev)) return (fields, null);
        if (ev.ValueKind != JsonValueKind.Number || !ev.TryGetInt32(out var expected)) return (null, Problems.Invalid("expectedVersion", "须为整数"));
        return expected != version ? (null, Problems.Conflict($"{noun}已被他人更新（当前版本 {version}），请刷新后重试")) : (fields, null);
    }

    /// <summary>The engine's refusal as problem details: 404 unknown action, 403 role, 409 state or guard, 400 fields.</summary>
    public static IResult Problem(Refused refused) => refused.Kind switch
    {
        RefusalKind.UnknownAction => Problems.NotFound(refused.Message),
        RefusalKind.RoleForbidden => Problems.Forbidden(refused.Message),
        RefusalKind.NotAllowedInState => Problems.Conflict(refused.Message),
        _ => Problems.Invalid(new Dictionary<string, string[]>(refused.FieldErrors!), refused.Message),
    };
}
