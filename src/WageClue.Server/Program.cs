using WageClue.Server.Features.Accounts;
using WageClue.Server.Infrastructure;

var builder = WebApplication.CreateBuilder(args);
builder.AddWageClue();
var app = builder.Build();

if (args is ["create-admin", ..])
{
    await app.PrepareDatabaseAsync(allowDemoData: false);
    return await CreateAdminCommand.RunAsync(app.Services, args);
}

await app.PrepareDatabaseAsync();
app.UseWageClue();
await app.RunAsync();
return 0;

public partial class Program;
