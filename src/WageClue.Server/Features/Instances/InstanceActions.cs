using System.Text.Json;
using Npgsql;
using WageClue.Server.Features.Access;
using WageClue.Server.Features.Accounts;
using WageClue.Workflows.Calendar;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Instances;

/// <summary>What became of an action on any subject's instance.</summary>
public abstract record Fired
{
    /// <summary>Written in the caller's transaction: the decision and the instance's clocks after it.</summary>
    public sealed record Written(Allowed Decision, IReadOnlyList<ClockRow> Clocks) : Fired;
    public sealed record Refusal(Refused Reason) : Fired;
    public sealed record BadReferences(Dictionary<string, string[]> Errors) : Fired;
    public sealed record VersionMovedOn : Fired;
}

/// <summary>
/// The one path every action takes, whatever the subject (a clue, a listing case) and whoever fires it (a user,
/// or the sweep ending a period): the engine decides on the calendar the caller locked, the references the
/// engine cannot see are checked, and the instance, its clocks and its history are written by compare-and-set.
/// The subject adds its own attribute updates to the same transaction.
/// </summary>
public static class InstanceActions
{
    /// <summary>The sweep fires a period's action as the service itself; history shows no user.</summary>
    public static readonly Actor SystemActor = new(0, Roles.System);

    /// <param name="check">The subject's own checks of the allowed decision (a merge target exists, a removal is not barred).</param>
    public static async Task<Fired> DecideAndWriteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, WorkflowEngine engine, InstanceRow instance,
        InstanceSnapshot snapshot, string action, Actor actor, IReadOnlyDictionary<string, JsonElement> fields, DateTimeOffset now,
        WorkingCalendar calendar, Func<Allowed, Task<Dictionary<string, string[]>>> check)
    {
        var decision = engine.Decide(snapshot, action, actor, fields, now, calendar);
        if (decision is Refused refused) return new Fired.Refusal(refused);
        var allowed = (Allowed)decision;
        var errors = await check(allowed);
        if (errors.Count > 0) return new Fired.BadReferences(errors);
        var clocks = await WorkflowWriter.ApplyAsync(conn, tx, instance, action, allowed, actor.Role == Roles.System ? null : actor.UserId, now);
        return clocks == null ? new Fired.VersionMovedOn() : new Fired.Written(allowed, clocks);
    }

    /// <summary>
    /// The user fields of an action (受理's 责任人, 改派's 新责任人): each must be allowed to hold the instance in its
    /// district, and naming the person already responsible records a change that changes nothing. The caller naming
    /// themselves is answered from their row as read for this request; anyone else from the database.
    /// </summary>
    /// <param name="noun">What the instance is called to its users (线索, 名单案件).</param>
    public static async Task CheckUsersAsync(ActionDefinition action, Allowed allowed, InstanceRow instance, string districtName, string noun,
        CurrentUser actor, UserRepository users, Dictionary<string, string[]> errors)
    {
        foreach (var field in action.FieldList.Where(f => f.Type == FieldTypes.User && allowed.Fields.ContainsKey(f.Name)))
        {
            var userId = (long)allowed.Fields[field.Name]!;
            var mayHold = userId == actor.Id ? AccessPolicy.MayHold(actor.Role) && actor.IsIn(instance.DistrictId) : await users.CanBeAssignedAsync(userId, instance.DistrictId);
            if (!mayHold) errors[field.Name] = [$"{field.Label}须为{districtName}在岗的经办人或负责人"];
            if (field.Updates == Attributes.Assignee && userId == instance.AssigneeId)
                errors[field.Name] = [$"该{noun}的责任人已是此人，请选择其他人"];
        }
    }
}
