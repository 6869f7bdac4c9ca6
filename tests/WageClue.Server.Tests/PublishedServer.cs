using System.Diagnostics;

namespace WageClue.Server.Tests;

/// <summary>
/// The service as an operator runs it: published once per test run (dotnet publish), started as its own process from
/// another folder, stopped with a signal. For what only a real process shows: content root, SIGTERM, kill -9.
/// </summary>
public sealed class PublishedServer : IAsyncDisposable
{
    private static readonly SemaphoreSlim PublishLock = new(1, 1);
    private static string? _output;

    private readonly Process _process;

    public int Port { get; }
    public HttpClient Http { get; }

    private PublishedServer(Process process, int port)
    {
        (_process, Port) = (process, port);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public int ProcessId => _process.Id;

    /// <summary>What the service wrote to its standard output, line by line.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Output { get; } = new();

    /// <summary>Removes the published copy (about 100 MB in the temp folder) at the end of the run.</summary>
    public static void DeletePublished()
    {
        if (_output != null && Directory.Exists(_output)) Directory.Delete(_output, recursive: true);
        _output = null;
    }

    public static async Task<string> PublishAsync()
    {
        await PublishLock.WaitAsync();
        try
        {
            if (_output != null) return _output;
            var output = Path.Combine(Path.GetTempPath(), $"wageclue-published-{Environment.ProcessId}");
            var project = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "WageClue.Server"));
            using var publish = Process.Start(new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", output, "-nologo", "-v", "quiet"]))!;
            await publish.WaitForExitAsync();
            Assert.That(publish.ExitCode, Is.Zero, "dotnet publish");
            return _output = output;
        }
        finally
        {
            PublishLock.Release();
        }
    }

    /// <summary>Starts the published service from "/" in Production on a free loopback port and waits for /health.</summary>
    public static async Task<PublishedServer> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? environment = null)
    {
        var output = await PublishAsync();
        var port = Ports.Free();
        var info = new ProcessStartInfo("dotnet", [Path.Combine(output, "WageClue.Server.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = "/", // anywhere but its own folder
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__WageClue"] = WageClueApp.ProductionLike(connectionString);
        info.Environment["Database__AllowNonDurable"] = "true"; // the test cluster runs with fsync off
        info.Environment["Email__BaseUrl"] = "https://wageclue.test";
        info.Environment["Email__FromAddress"] = "wageclue@test.local";
        info.Environment["Email__Smtp__Host"] = "127.0.0.1";
        info.Environment["Proxy__RedirectToHttps"] = "false";
        info.Environment["Jobs__RunServer"] = "true";
        info.Environment["DataProtection__Certificate__Path"] = TestCertificate.Path;
        info.Environment["DataProtection__Certificate__Password"] = TestCertificate.Password;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info)!;
        var server = new PublishedServer(process, port);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == null) return;
            server.Output.Enqueue(e.Data);
            TestContext.Progress.WriteLine($"[server {port}] {e.Data}");
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) TestContext.Progress.WriteLine($"[server {port}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                if ((await server.Http.GetAsync("/health")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(300);
        }
        await server.DisposeAsync();
        throw new InvalidOperationException("The published service did not start.");
    }

    /// <summary>SIGTERM, as systemd, Docker and Kubernetes stop a service; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan wait)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(wait);
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
