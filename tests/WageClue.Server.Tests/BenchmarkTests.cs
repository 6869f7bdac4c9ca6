using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;

namespace WageClue.Server.Tests;

/// <summary>
/// Keeps the benchmark working: its short run (small sizes, half-second runs) against the test cluster, as its own
/// processes (load generator and server), checked for every section of its results. The figures themselves are not
/// judged here: speed targets belong to the full run on a durable cluster (deploy/bench.sh), not to tests.
/// </summary>
public class BenchmarkTests
{
    [Test]
    public async Task The_short_benchmark_run_produces_every_figure_and_no_duplicate_email()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "WageClue.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("WageClue.sln not found above the test binaries");
        var configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var bench = Path.Combine(root, "tests", "WageClue.Benchmark", "bin", configuration, "net10.0", "WageClue.Benchmark.dll");
        var server = Path.Combine(root, "src", "WageClue.Server", "bin", configuration, "net10.0", "WageClue.Server.dll");
        Assert.That(File.Exists(bench) && File.Exists(server), $"build the solution first: {bench}, {server}");
        var output = Path.Combine(Path.GetTempPath(), $"wageclue-bench-{Guid.NewGuid():N}.json");
        var admin = new NpgsqlConnectionStringBuilder(TestHost.ConnectionString) { Database = "postgres" }.ConnectionString;

        var info = new ProcessStartInfo("dotnet", [bench, "--short", "--connection", admin, "--server", server, "--out", output])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await process.WaitForExitAsync(timeout.Token);
        await TestContext.Out.WriteLineAsync(await stdout);
        Assert.That(process.ExitCode, Is.EqualTo(0).Or.EqualTo(2), await stderr); // 2: a target missed, which a short run may

        var results = JsonNode.Parse(await File.ReadAllTextAsync(output))!;
        File.Delete(output);
        foreach (var section in new[] { "intakeCeiling", "intakeApi", "transitionCeiling", "transitionApi", "extensionApi", "pauseResumeApi" })
            Assert.That(results[section]!.AsArray().Select(r => r!["perSecond"]!["median"]!.GetValue<double>()), Is.All.GreaterThan(0), section);
        Assert.That(results["intakeApi"]![0]!["ratioToCeiling"]!.GetValue<double>(), Is.GreaterThan(0));
        // 4 dashboard queries and 8 searches, at each of the 2 sizes.
        var queries = results["dashboard"]!.AsArray();
        Assert.That(queries, Has.Count.EqualTo(24));
        Assert.That(queries.Select(q => q!["p95Ms"]!.GetValue<double>()), Is.All.GreaterThan(0));
        Assert.That(queries.Count(q => q!["query"]!.GetValue<string>().StartsWith("search:", StringComparison.Ordinal)), Is.EqualTo(14));
        var storm = results["storms"]!.AsArray().Single()!;
        Assert.That((storm["delivered"]!.GetValue<int>(), storm["duplicates"]!.GetValue<int>()),
            Is.EqualTo((storm["clocks"]!.GetValue<int>() * storm["storms"]!.GetValue<int>(), 0)));
        // The import: every row reported, the one row in 100 with a short phone number refused, the others created.
        var import = results["imports"]!.AsArray().Single()!;
        Assert.That((import["created"]!.GetValue<int>(), import["refused"]!.GetValue<int>()), Is.EqualTo((297, 3)));
        Assert.That(import["ofIntakeCeiling"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(results["peakServerMb"]!.GetValue<double>(), Is.GreaterThan(0));
        Assert.That(results["targets"]!.AsArray(), Has.Count.GreaterThanOrEqualTo(10));
    }
}
