using System.Net;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using Scalar.AspNetCore;
using WageClue.Server.Features.Accounts;
using WageClue.Server.Features.Calendar;
using WageClue.Server.Features.Clues;
using WageClue.Server.Features.Demo;
using WageClue.Server.Features.Districts;
using WageClue.Server.Features.Instances;
using WageClue.Server.Features.Notifications;
using WageClue.Server.Features.Sla;
using WageClue.Server.Features.Tracking;
using WageClue.Server.Features.Workflows;
using WageClue.Server.Infrastructure.Database;
using WageClue.Server.Infrastructure.Http;
using WageClue.Server.Infrastructure.Jobs;
using WageClue.Server.Infrastructure.Observability;
using WageClue.Workflows.Definitions;
using WageClue.Workflows.Calendar;

namespace WageClue.Server.Infrastructure;

public sealed class AuthOptions
{
    /// <summary>How long a bearer token lasts: one working day.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Login attempts (token requests and posted login forms, not views of the form) per client address and minute,
    /// across all nodes: sized for an office of sixty behind one NAT address logging in at nine.
    /// </summary>
    public int LoginAttemptsPerMinute { get; set; } = 60;

    /// <summary>Anonymous progress lookups allowed per client address and minute, against guessing tracking codes.</summary>
    public int TrackingLookupsPerMinute { get; set; } = 30;

    /// <summary>Failures of one username from one address after which each further attempt must wait (LoginCheck).</summary>
    public int FailuresBeforeDelay { get; set; } = 5;

    /// <summary>The first wait; it doubles with each further failure.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan LongestDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A browser session without activity this long ends; its pages warn two minutes before (js/idle.js).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Failures this old are forgotten.</summary>
    public TimeSpan ForgetFailuresAfter { get; set; } = TimeSpan.FromDays(1);
}

public static class WageClueSetup
{
    public static WebApplicationBuilder AddWageClue(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;

        services.AddSingleton(TimeProvider.System);
        // Outside Development the logs are one JSON object per line, for the bureau's log collector.
        if (!builder.Environment.IsDevelopment())
            builder.Logging.ClearProviders().AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                o.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };
            });
        // SIGTERM: in-flight requests and the current job batch get this long to finish (Hangfire gets half of it).
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout(config));
        services.Configure<ClueOptions>(config.GetSection("Clues"));
        services.Configure<Features.Listings.ListingOptions>(config.GetSection("Listings"));
        services.Configure<ApiOptions>(config.GetSection("Api"));
        services.Configure<DemoDataOptions>(config.GetSection("DemoData"));
        services.Configure<AuthOptions>(config.GetSection("Auth"));
        services.AddStartupChecks(config, production: !builder.Environment.IsDevelopment());

        // Chinese text stays readable in JSON instead of \uXXXX escapes; HTML-sensitive characters are still escaped.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All));
        // Pages likewise: Chinese as characters, not &#x...; entities (markup characters are still encoded).
        services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        // In Development a 500 carries its exception, so a failing test or a local run explains itself; never in production.
        var development = builder.Environment.IsDevelopment();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (development && context.Exception is { } e) context.ProblemDetails.Extensions["exception"] = e.ToString();
        });
        services.AddExceptionHandler<DatabaseFailures>();
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecurityTransformer>());

        // Behind the bureau's load balancer the client address (rate limits) comes from X-Forwarded-For, trusted only
        // from the proxies listed in Proxy:KnownProxies (loopback by default), so a client cannot forge it.
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in config.GetSection("Proxy:KnownProxies").Get<string[]>() ?? [])
                o.KnownProxies.Add(IPAddress.Parse(proxy));
        });

        // Static files only (see UseWageClue): scripts and styles hold no secrets, so compressing them over HTTPS is safe.
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
            o.MimeTypes = ["text/css", "text/javascript", "application/javascript", "image/svg+xml"];
        });
        services.Configure<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Optimal);

        services.AddDatabase(config);
        services.AddObservability(config);
        services.AddWorkflows(config);
        services.AddAccounts(config, development);
        services.AddJobs(config);
        services.Configure<EmailOptions>(config.GetSection("Email"));
        services.AddSingleton<EmailTemplates>();
        services.AddSingleton<SmtpResilience>();
        services.AddSingleton<SentJournal>();
        services.AddSingleton<OutboxSender>();
        services.AddSingleton<EscalationEmails>();
        services.AddSingleton<SlaSweep>();
        services.AddSingleton<DailyDigest>();
        services.AddSingleton<EscalationRepository>();
        services.AddSingleton(sp => new Features.Dashboard.DashboardQueries(
            sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ClueWorkflow>().CurrentDefinition.TimeZone));
        services.AddSingleton<Features.Dashboard.StatsRefresh>();
        services.AddSingleton<Features.Dashboard.LifecycleQueries>();
        services.AddSingleton<Features.Workbench.Todo>();

        services.AddSingleton<DistrictRepository>();
        services.AddSingleton<CalendarRepository>();
        services.AddSingleton<CalendarStore>();
        services.AddSingleton<ClockRecomputer>();
        services.AddSingleton<CalendarAdmin>();
        services.AddSingleton<ClueRepository>();
        services.AddSingleton<Features.Audit.AuditLog>();
        services.AddSingleton<Features.Tracking.ProgressLookup>();
        services.AddSingleton<DuplicateFinder>();
        services.AddSingleton<ClueWorkflow>();
        services.AddSingleton<ClueResponses>();
        services.AddSingleton<ActionNotices>();
        // The subjects of the workflow core: each tells the jobs what to say about its instances.
        services.AddSingleton<IWorkflowSubject, ClueFacts>();
        services.AddSingleton<Features.Employers.EmployerRepository>();
        services.AddSingleton<Features.Employers.CreditRecordRepository>();
        services.AddSingleton<Features.Employers.CreditRecordService>();
        services.AddSingleton<Features.Listings.ListingRepository>();
        services.AddSingleton<Features.Listings.ListingWorkflow>();
        services.AddSingleton<IWorkflowSubject>(sp => sp.GetRequiredService<Features.Listings.ListingWorkflow>());
        services.AddSingleton<WorkflowSubjects>();
        services.AddSingleton<Features.Imports.ImportStore>();
        services.AddSingleton<Features.Imports.ClueImport>();
        services.AddSingleton<DemoData>();
        return builder;
    }

    /// <summary>Host:ShutdownTimeout, 30 s by default: the host's wait on SIGTERM (JobsSetup gives Hangfire half).</summary>
    public static TimeSpan ShutdownTimeout(IConfiguration config) => config.GetValue<TimeSpan?>("Host:ShutdownTimeout") ?? TimeSpan.FromSeconds(30);

    private const string SessionOrBearer = "session-or-bearer";

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task Status(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>
    /// To the login form. A form posted after the session ended comes back, after the login, to the page it was
    /// on (not to the post's handler), where js/drafts.js puts back what was typed.
    /// </summary>
    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        var request = context.Request;
        context.Response.Redirect(HttpMethods.IsPost(request.Method)
            ? $"{request.PathBase}/login?expired=true&ReturnUrl={Uri.EscapeDataString($"{request.PathBase}{request.Path}")}"
            : context.RedirectUri);
        return Task.CompletedTask;
    }

    private static void AddAccounts(this IServiceCollection services, IConfiguration config, bool development)
    {
        var auth = config.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = Passwords.IterationCount);
        services.AddSingleton<IPasswordHasher<UserRow>, PasswordHasher<UserRow>>();
        services.AddSingleton<Passwords>();
        services.AddSingleton<UserRepository>();
        services.AddSingleton<LoginCheck>();
        services.AddSingleton<UserAdmin>();
        services.AddSingleton<Sessions>();

        KeyRingProtection.AddKeyRing(services, config, development);
        services.AddSingleton<Features.Privacy.PersonalData>();

        // Every cookie (session, antiforgery, TempData) is Secure: behind the bureau's TLS proxy every
        // request is https (X-Forwarded-Proto), and only a developer's machine speaks plain http.
        var secure = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        // API clients send a bearer token; browsers carry the session cookie. One scheme picks per request: the API
        // takes the cookie only on the reads marked SessionCookieAllowed (a page's own script), never for a write.
        services.AddAuthentication(o => o.DefaultScheme = SessionOrBearer)
            .AddPolicyScheme(SessionOrBearer, SessionOrBearer, o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                || (IsApi(http.Request) && !SessionCookieAllowed.For(http))
                    ? BearerTokenDefaults.AuthenticationScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddBearerToken(o => o.BearerTokenExpiration = auth.TokenLifetime)
            .AddCookie(o =>
            {
                o.LoginPath = "/login";
                o.Cookie.Name = "wageclue.session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = secure;
                o.ExpireTimeSpan = auth.TokenLifetime;
                o.SlidingExpiration = true;
                // The API answers 401/403 as problem details; only pages redirect to the login form.
                o.Events.OnRedirectToLogin = c => IsApi(c.Request) ? Status(c, StatusCodes.Status401Unauthorized) : Redirect(c);
                o.Events.OnRedirectToAccessDenied = c => Status(c, StatusCodes.Status403Forbidden);
            });
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = secure);
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(o => o.Cookie.SecurePolicy = secure);
        // The https port clients reach the proxy on (where HTTPS redirection sends them).
        services.AddHttpsRedirection(o => o.HttpsPort = config.GetValue<int?>("Proxy:HttpsPort") ?? 443);
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.ExcludedHosts.Clear(); // localhost too: Production is never a developer's machine
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(JobsSetup.DashboardPolicy, p => p.RequireRole(Roles.Admin));
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features"; // pages live in their feature folders
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Accounts/Login");
            o.Conventions.AllowAnonymousToPage("/Errors/Status");
            o.Conventions.AllowAnonymousToPage("/Listings/Public"); // 公示: the public announcement of listed employers
            o.Conventions.AllowAnonymousToPage("/Tracking/Track"); // 进度查询 for complainants
        });
        services.AddSingleton<SharedRateLimits>();
    }

    private static bool IsStaticFile(HttpRequest r) =>
        r.Path.StartsWithSegments("/lib") || r.Path.StartsWithSegments("/js") || r.Path.StartsWithSegments("/css") || r.Path.StartsWithSegments("/favicon.svg");

    /// <summary>
    /// A file asked for by its versioned name (asp-append-version's ?v= hash of its content) never changes, so the
    /// browser keeps it for a year; any other asks again each time and gets 304 when unchanged.
    /// </summary>
    private static void StaticFileCaching(Microsoft.AspNetCore.StaticFiles.StaticFileResponseContext context) =>
        context.Context.Response.Headers.CacheControl = context.Context.Request.Query.ContainsKey("v")
            ? "public, max-age=31536000, immutable"
            : "no-cache";

    public static WebApplication UseWageClue(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMetricsEndpoint();
        if (!app.Environment.IsDevelopment() && app.Configuration.GetValue("Proxy:RedirectToHttps", true))
        {
            // Behind the proxy the scheme is the one X-Forwarded-Proto names. The load balancer's health probe may
            // speak plain http inside the network; everything else is sent to https and told to stay there.
            app.UseHsts();
            app.UseWhen(c => !c.Request.Path.StartsWithSegments("/health"), https => https.UseHttpsRedirection());
        }
        // Every unhandled exception is logged for operators, whatever the default of this ASP.NET Core version; a
        // database failure that DatabaseFailures answered (503, 400) is logged there, once, at its own level.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            SuppressDiagnosticsCallback = c => c.ExceptionHandledBy == Microsoft.AspNetCore.Diagnostics.ExceptionHandledType.ExceptionHandlerService,
        });
        // The API answers problem details; a page answers with a Chinese error page.
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages => pages.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.UseWhen(c => IsStaticFile(c.Request), files => files.UseResponseCompression());
        app.UseStaticFiles(new StaticFileOptions { OnPrepareResponse = StaticFileCaching });
        // The Hangfire dashboard in Chinese: Hangfire.Core ships zh resources and follows the request's UI culture.
        // (Its times are written by its own script in the browser's time zone, which is Beijing time in the bureau.)
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/hangfire"), dashboard => dashboard.UseRequestLocalization(o =>
        {
            o.SetDefaultCulture("zh-CN").AddSupportedUICultures("zh-CN");
            o.RequestCultureProviders.Clear();
        }));
        // Routing after the status code pages, so a re-executed /error/{code} request is matched to its page.
        app.UseRouting();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseMiddleware<RequestBodyLimitMiddleware>());
        app.UseAuthentication();
        app.UseMiddleware<CurrentUserMiddleware>();
        app.UseMiddleware<PasswordChangeRequiredMiddleware>();
        app.UseAuthorization();

        // The API reference tells a stranger every route: on a developer's machine always, in Production only when
        // the bureau chooses to publish it (Api:PublishReference).
        if (app.Environment.IsDevelopment() || app.Configuration.GetValue<bool>("Api:PublishReference"))
        {
            app.MapOpenApi();
            app.MapScalarApiReference();
        }
        app.MapHealthChecks("/health");
        // Browsers and tools ask for /favicon.ico whatever the page links; the icon is an SVG.
        app.MapGet("/favicon.ico", () => Results.Redirect("/favicon.svg", permanent: true)).AllowAnonymous().ExcludeFromDescription();

        app.MapAuthEndpoints();
        app.MapUserEndpoints();
        app.MapDistrictEndpoints();
        app.MapCalendarEndpoints();
        app.MapWorkflowEndpoints();
        app.MapSlaEndpoints();
        app.MapClueEndpoints();
        Features.Employers.EmployerEndpoints.MapEmployerEndpoints(app);
        Features.Listings.ListingEndpoints.MapListingEndpoints(app);
        app.MapTrackingEndpoints();
        Features.Imports.ImportEndpoints.MapImportEndpoints(app);
        app.MapEscalationEndpoints();
        Features.Audit.AuditEndpoints.MapAuditEndpoints(app);
        app.MapRazorPages();
        // Fail at start-up, not at the first escalation, when a template the bureau edited does not parse.
        _ = app.Services.GetRequiredService<EmailTemplates>();
        app.UseJobs();
        return app;
    }

    /// <summary>Migrations, the shipped calendar years the database lacks, and (when enabled) the demo data.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app, bool allowDemoData = true)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("WageClue.Startup");
        // Refuse a bad configuration before touching the database, then a database that could lose what it acknowledged.
        StartupChecks.ValidateNow(app.Services);
        var db = app.Services.GetRequiredService<NpgsqlDataSource>();
        await StartupChecks.CheckDurabilityAsync(db, app.Configuration, production: !app.Environment.IsDevelopment(), logger);
        var pii = app.Services.GetRequiredService<Features.Privacy.PersonalData>();
        await DatabaseSetup.MigrateAsync(db, pii, logger);
        await pii.LoadIndexKeyAsync();

        var calendars = Path.Combine(app.Services.GetRequiredService<IOptions<WorkflowOptions>>().Value.ResolvedPath, "calendars");
        var years = Directory.Exists(calendars)
            ? Directory.GetFiles(calendars, "*.json").SelectMany(f => CalendarFile.Parse(File.ReadAllText(f))).ToList()
            : [];
        var added = await app.Services.GetRequiredService<CalendarRepository>().ImportMissingAsync(years, TimeProvider.System.GetUtcNow());
        if (added > 0) logger.LogInformation("Loaded {Count} calendar years from {Folder}", added, calendars);

        if (allowDemoData && app.Services.GetRequiredService<IOptions<DemoDataOptions>>().Value.Enabled)
            await app.Services.GetRequiredService<DemoData>().SeedAsync();
    }
}
