using WageClue.Server.Features.Accounts;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Engine;

namespace WageClue.Server.Features.Access;

/// <summary>What a caller may list: districts (null: the whole city), and for an integration account only what it registered.</summary>
public sealed record ReadScope(IReadOnlyList<string>? Districts, long? CreatedBy)
{
    public static readonly ReadScope Nothing = new([], null);
}

/// <summary>
/// Every permission in one place: role × the caller's districts × the instance's district × what the definition
/// allows. The API, the pages, the jobs and the demo data ask here; nothing else decides who may read or act.
///
/// | role        | reads                         | acts (roles the definition names for the action) | full personal data |
/// |-------------|-------------------------------|--------------------------------------------------|--------------------|
/// | caseworker  | own districts                 | own districts                                    | own districts      |
/// | supervisor  | own districts                 | own districts                                    | own districts      |
/// | leader      | the whole city                | own districts only (a leader given none acts nowhere) | never         |
/// | admin       | no clues                      | never                                            | never              |
/// | integration | only the clues it registered  | never (registers in any district)                | never              |
/// | auditor     | no clues; the audit logs      | never                                            | never              |
///
/// Employers (no complainant data): caseworkers, supervisors and leaders see each employer's city-wide counts, and
/// of its clues those they may read. Credit records and listing cases are read like clues (the district's staff,
/// leaders city-wide); the district's caseworkers propose a credit record, its supervisors confirm or correct it
/// and start a listing case; the listing's actions go by the definition's roles (a leader approves the extension).
/// </summary>
public static class AccessPolicy
{
    public static ReadScope Scope(CurrentUser u) => u.Role switch
    {
        Roles.Leader => new ReadScope(null, null),
        Roles.Caseworker or Roles.Supervisor => new ReadScope(u.Districts, null),
        Roles.Integration => new ReadScope(null, u.Id),
        _ => ReadScope.Nothing,
    };

    public static bool CanRead(CurrentUser u, string districtId, long? createdBy) => u.Role switch
    {
        Roles.Leader => true,
        Roles.Caseworker or Roles.Supervisor => u.IsIn(districtId),
        Roles.Integration => createdBy == u.Id,
        _ => false,
    };

    /// <summary>Who may register clues, and where: the district's own staff, and another system for any district.</summary>
    public static bool CanRegister(CurrentUser u, string districtId) =>
        u.Role == Roles.Integration || (u.Role is Roles.Caseworker or Roles.Supervisor && u.IsIn(districtId));

    public static bool MayRegisterAtAll(CurrentUser u) => u.Role is Roles.Integration or Roles.Caseworker or Roles.Supervisor;

    /// <summary>The district half of acting: inside the caller's own districts, never for admin or integration accounts.</summary>
    public static bool CanActIn(CurrentUser u, string districtId) =>
        u.Role is Roles.Caseworker or Roles.Supervisor or Roles.Leader && u.IsIn(districtId);

    /// <summary>The actions the caller may take on the instance now: the definition's roles and guards, inside the caller's districts.</summary>
    public static IReadOnlyList<string> AllowedActions(CurrentUser u, WorkflowEngine engine, InstanceSnapshot instance, DateTimeOffset now) =>
        CanActIn(u, instance.DistrictId) ? engine.AllowedActions(instance, u.Role, now) : [];

    /// <summary>Minimum necessary (PIPL): the people working the district, not readers such as leaders or other systems.</summary>
    public static bool CanViewPersonalData(CurrentUser u, string districtId) =>
        u.Role is Roles.Caseworker or Roles.Supervisor && u.IsIn(districtId);

    /// <summary>Who may be made responsible for an instance (明确专人负责): enabled caseworkers and supervisors of its district.</summary>
    public static bool MayHold(string role) => role is Roles.Caseworker or Roles.Supervisor;

    public const string HoldingRolesSql = "('caseworker', 'supervisor')";

    // Employers, their credit records and listing cases hold no complainant data: the bureau's staff read them
    // (a repeat offender must be visible across districts); writing stays with the district.

    /// <summary>Employer pages and their counts: caseworkers, supervisors and leaders.</summary>
    public static bool CanSeeEmployers(CurrentUser u) => u.Role is Roles.Caseworker or Roles.Supervisor or Roles.Leader;

    /// <summary>The districts whose credit records and listing cases the caller lists (null: the whole city).</summary>
    public static IReadOnlyList<string>? RecordsScope(CurrentUser u) => u.Role == Roles.Leader ? null : u.Districts;

    /// <summary>不良行为记录 is proposed by the district's staff from a clue they handled, and confirmed by its supervisor.</summary>
    public static bool CanRecordCredit(CurrentUser u, string districtId) => u.Role is Roles.Caseworker or Roles.Supervisor && u.IsIn(districtId);

    public static bool CanConfirmCredit(CurrentUser u, string districtId) => u.Role == Roles.Supervisor && u.IsIn(districtId);

    /// <summary>The audit logs (who saw personal data, who changed which account): the auditor only, not the administrator.</summary>
    public static bool CanReadAudit(CurrentUser u) => u.Role == Roles.Auditor;

    /// <summary>The exports for the credit-sharing platform.</summary>
    public static bool CanExportRecords(CurrentUser u) => u.Role is Roles.Supervisor or Roles.Leader;

    /// <summary>A listing case is started by a supervisor of the district (人社部令第45号 第五条).</summary>
    public static bool CanStartListing(CurrentUser u, string districtId) => u.Role == Roles.Supervisor && u.IsIn(districtId);
}
