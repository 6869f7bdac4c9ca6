using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace WageClue.Server.Tests.Browser;

/// <summary>
/// The service on a real Kestrel port, driven by Debian's Chromium through Playwright (no browser download: the
/// machine's Chromium, which deploy/test.sh installs). One server and one browser for the run; each test gets a
/// fresh browser context (no cookies) at a laptop's size.
/// </summary>
public abstract class BrowserTest : ApiTest
{
    protected static WageClueApp Site => BrowserSession.Site;
    protected IPage Page { get; private set; } = null!;
    protected List<string> ConsoleErrors { get; } = [];

    /// <summary>
    /// Mermaid (5.5 MB of script, loaded when the diagram is opened) parses and draws in about a second alone, but
    /// took more than the default 5 s on a 2-core machine also running the benchmark; the wait is longer, the check the same.
    /// </summary>
    internal static readonly LocatorAssertionsToBeVisibleOptions MermaidDrawn = new() { Timeout = 30_000 };

    [SetUp]
    public async Task OpenBrowserAsync()
    {
        var browser = await BrowserSession.StartAsync();
        Site.ResetTime(WageClueApp.DefaultNow);
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BrowserSession.BaseUrl, ViewportSize = new ViewportSize { Width = 1366, Height = 768 }, Locale = "zh-CN", AcceptDownloads = true,
        });
        Page = await context.NewPageAsync();
        ConsoleErrors.Clear();
        Page.Console += (_, m) => { if (m.Type == "error") ConsoleErrors.Add(m.Text); };
        Page.PageError += (_, e) => ConsoleErrors.Add(e);
    }

    [TearDown]
    public async Task CloseBrowserAsync()
    {
        if (Page != null) await Page.Context.CloseAsync();
    }

    protected async Task LoginAsync(string username)
    {
        await Page.GotoAsync("/login");
        await Page.GetByLabel("用户名").FillAsync(username);
        await Page.GetByLabel("密码").FillAsync(TestHost.Password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "登录" }).ClickAsync();
        try
        {
            await Page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        }
        catch (TimeoutException)
        {
            await ScreenshotAsync($"login-timeout-{username}");
            Assert.Fail($"Login as {username} did not leave the login page: {Page.Url}; page says: {await Page.Locator("main").InnerTextAsync()}");
        }
    }

    /// <summary>Opens an action's form on a clue page, lets the test fill it, confirms, and waits for the page to come back.</summary>
    protected async Task DoAsync(string actionName, Func<ILocator, Task> fill)
    {
        var details = Page.Locator($"details.action:has(> summary:text-is('{actionName}'))");
        await details.Locator("summary").ClickAsync();
        await fill(details);
        await details.GetByRole(AriaRole.Button, new() { Name = $"确认{actionName}" }).ClickAsync();
        await Assertions.Expect(Page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"已{actionName}");
    }

    /// <summary>
    /// At a phone's width nothing may run off the side (the page is as wide as the screen); at a laptop's width no
    /// card's content overflows it. Wide tables scroll inside their own box instead.
    /// </summary>
    protected async Task AssertFitsAPhoneAsync(string screenshot)
    {
        await Page.SetViewportSizeAsync(390, 844);
        await ScreenshotAsync(screenshot);
        var width = await Page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.That(width, Is.LessThanOrEqualTo(390), $"{screenshot}: the page scrolls sideways at 390 px");
        await Page.SetViewportSizeAsync(1366, 768);
        var overflowing = await Page.EvaluateAsync<string[]>(
            "[...document.querySelectorAll('.card')].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.id || c.querySelector('h2')?.textContent || c.className)");
        Assert.That(overflowing, Is.Empty, $"{screenshot}: cards whose content overflows at 1366 px");
    }

    /// <summary>A full-page screenshot, saved with the test results (WAGECLUE_SCREENSHOTS) and attached to the test.</summary>
    protected async Task ScreenshotAsync(string name)
    {
        var folder = Environment.GetEnvironmentVariable("WAGECLUE_SCREENSHOTS") is { Length: > 0 } f ? f : Path.Combine(TestContext.CurrentContext.WorkDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
    }
}

/// <summary>The one server and browser of the run, started by the first browser test and stopped by TestHost.</summary>
internal static class BrowserSession
{
    private static WageClueApp? _site;
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;
    private static readonly SemaphoreSlim Starting = new(1, 1);

    public static WageClueApp Site => _site ?? throw new InvalidOperationException("The browser session has not started.");

    public static string BaseUrl { get; private set; } = "";

    public static async Task StopAsync()
    {
        if (_browser != null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_site != null) await _site.DisposeAsync();
    }

    public static async Task<IBrowser> StartAsync()
    {
        await Starting.WaitAsync();
        try
        {
            if (_browser != null) return _browser;
            var chromium = Environment.GetEnvironmentVariable("WAGECLUE_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
            if (!File.Exists(chromium)) Assert.Fail($"Chromium is not at {chromium}. deploy/test.sh installs Debian's chromium package.");
            var port = FreePort();
            _site = new WageClueApp(TestHost.ConnectionString);
            _site.UseKestrel(port);
            _site.StartServer();
            BaseUrl = $"http://127.0.0.1:{port}";
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                // As STACK.md found: without these Chromium keeps trying to reach Google's hosts through a closed network.
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
            });
            return _browser;
        }
        finally
        {
            Starting.Release();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

}
