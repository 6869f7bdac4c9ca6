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
var stopping = app.Lifetime.ApplicationStopping; // read now: RunAsync disposes the services before it throws
var logger = app.Logger;
try
{
    await app.RunAsync();
}
catch (Exception e) when (stopping.IsCancellationRequested && IsCancellation(e))
{
    // SIGTERM with work still in flight when Host:ShutdownTimeout ran out (a request body held open, a long job
    // batch): what could finish did; the rest is retried by its client or the next job run. An orderly exit, not
    // the unhandled OperationCanceledException from Hangfire's StopAsync that aborted the process (rc 134).
    logger.LogWarning("Shutdown reached its timeout with work in flight; stopped without waiting longer: {Message}", e.Message);
}
return 0;

static bool IsCancellation(Exception e) =>
    e is OperationCanceledException || (e is AggregateException all && all.InnerExceptions.All(IsCancellation));

public partial class Program;
