using WageClue.Server.Features.Accounts;
using WageClue.Server.Infrastructure;

// A published service (dotnet publish: wwwroot beside the dll) finds its configuration and pages in its own folder,
// wherever it is started from; `dotnet run` and the tests keep the project folder as the content root.
var published = Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
var builder = WebApplication.CreateBuilder(published
    ? new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory }
    : new WebApplicationOptions { Args = args });
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
