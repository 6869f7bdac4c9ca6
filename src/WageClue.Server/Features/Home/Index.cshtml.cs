using Microsoft.AspNetCore.Mvc;
using WageClue.Server.Features.Shared;
using WageClue.Workflows.Definitions;

namespace WageClue.Server.Features.Home;

/// <summary>Each role starts where its day starts.</summary>
public sealed class IndexModel : AppPage
{
    public IActionResult OnGet() => Redirect(Me.Role switch
    {
        Roles.Caseworker => "/workbench",
        Roles.Supervisor => "/dashboard",
        Roles.Leader => "/leadership",
        Roles.Auditor => "/audit",
        _ => "/admin/users",
    });
}
