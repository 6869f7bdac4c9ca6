using System.Globalization;
using System.Text.Json;
using WageClue.Benchmark;

// deploy/bench.sh runs this; see the README's "Benchmark" section. Arguments:
//   --connection <Npgsql connection string to a cluster, as its superuser>   (required)
//   --server <path to WageClue.Server.dll built in Release>                  (required)
//   --short                          small sizes and short runs (the test suite uses this to keep it working)
//   --existing                       the dashboard queries, the summaries' rebuild and (with --keyring) search, on the database the last run left
//   --province                       1 and 10 million clues: dashboards, search, a 100 000-clock storm and a 100 000-row import at each
//   --keyring <file.pfx>             the key ring's certificate: used if it exists, else created there (default: a temporary file)
//   --out <file.json>                where every figure is written (default: bench-results.json)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true; // as the server sets it (DatabaseSetup): district_id → DistrictId
string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
var connection = Arg("--connection") ?? throw new ArgumentException("--connection is required");
var server = Arg("--server") ?? throw new ArgumentException("--server is required");
var settings = args.Contains("--short") ? BenchSettings.Short : args.Contains("--province") ? BenchSettings.Province : BenchSettings.Full;
var output = Arg("--out") ?? "bench-results.json";

if (args.Contains("--existing"))
{
    var (clues, rebuilds, mb, rows) = await new Bench(settings, connection, Path.GetFullPath(server), Arg("--keyring")).MeasureExistingAsync();
    Console.WriteLine($"Dashboards on the existing database: {clues:N0} clues, {mb:N0} MB (wageclue schema), summaries rebuilt in {rebuilds.StatsRebuildMs:N0} ms (every day), {rebuilds.RecentRebuildMs:N0} ms (the recent days)");
    foreach (var q in rows) Console.WriteLine($"{q.Query,-44} p50 {q.P50Ms,6:F1} ms  p95 {q.P95Ms,6:F1} ms");
    return 0;
}
var results = await new Bench(settings, connection, Path.GetFullPath(server), Arg("--keyring")).RunAsync();
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, JsonSerializer.Serialize(results, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
Console.WriteLine();
Console.WriteLine(Report.Table(results));
Console.WriteLine($"Every figure: {Path.GetFullPath(output)}");
return results.Targets.All(t => t.Met) ? 0 : 2;
