using System.Diagnostics;
using System.Globalization;

namespace WageClue.Benchmark;

/// <summary>The WageClue server as deployed: its own process, built in Release, on a port of its own.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    public string BaseUrl { get; }

    private ServerProcess(Process process, string baseUrl) => (_process, BaseUrl) = (process, baseUrl);

    public const string KeyRingPassword = "bench-keyring";

    /// <summary>
    /// The key-ring certificate every server of the run (and the bulk loader) uses: the one at <paramref name="path"/>
    /// if it is there, else a new one written there (a temporary file without a path). deploy/bench.sh keeps it in
    /// .local/bench, beside the cluster it filled, so that a later run or a look at that database can still unseal what
    /// the run sealed; a certificate in /tmp went with the first clean-up.
    /// </summary>
    public static string KeyRingCertificate(string? path)
    {
        path ??= Path.Combine(Path.GetTempPath(), $"wageclue-bench-keyring-{Environment.ProcessId}.pfx");
        if (File.Exists(path)) return path;
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=wageclue-bench-keyring", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, KeyRingPassword));
        return path;
    }

    public static async Task<ServerProcess> StartAsync(string serverDll, string connectionString, int smtpPort, int httpPort, string keyRingCertificate)
    {
        var info = new ProcessStartInfo("dotnet", [serverDll, "--urls", $"http://127.0.0.1:{httpPort}"])
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["Email__Smtp__Host"] = "127.0.0.1";
        info.Environment["Email__Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["Email__Smtp__Security"] = "None";
        info.Environment["Email__FromAddress"] = "wageclue@bench.local";
        info.Environment["Email__BaseUrl"] = "https://wageclue.bench.local";
        // Production wants a password in the connection string; the bench's clusters trust loopback and never ask for it.
        var connection = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(connection.Password)) connection.Password = "unused-on-a-trusting-cluster";
        info.Environment["ConnectionStrings__WageClue"] = connection.ConnectionString;
        // The short run uses the tests' fast cluster (fsync off); the full run's cluster is durable and passes the check anyway.
        info.Environment["Database__AllowNonDurable"] = "true";
        // One token for the whole run; the load generator is one client address.
        info.Environment["Auth__LoginAttemptsPerMinute"] = "1000";
        // Plain http on loopback, with no TLS proxy in front: measure the service, not a redirect.
        info.Environment["Proxy__RedirectToHttps"] = "false";
        // Production refuses an unencrypted key ring: a certificate of the run's own, as a bureau keeps one outside the database.
        info.Environment["DataProtection__Certificate__Path"] = keyRingCertificate;
        info.Environment["DataProtection__Certificate__Password"] = KeyRingPassword;
        // Production logging, minus the per-sweep information lines.
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        // Drain the output so the server never blocks on a full pipe; keep errors visible.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) Console.Error.WriteLine($"  [server] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, $"http://127.0.0.1:{httpPort}");
        using var http = new HttpClient();
        for (var i = 0; i < 120; i++)
        {
            if (process.HasExited) throw new InvalidOperationException($"The server exited with code {process.ExitCode} during start-up.");
            try
            {
                if ((await http.GetAsync($"{server.BaseUrl}/health")).IsSuccessStatusCode) return server;
            }
            catch (HttpRequestException) { }
            await Task.Delay(500);
        }
        throw new TimeoutException("The server did not answer /health within a minute.");
    }

    /// <summary>The most resident memory the process has had so far (VmHWM), in MB.</summary>
    public double PeakResidentMegabytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
