using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Npgsql;

namespace WageClue.Server.Tests.Faults;

/// <summary>
/// The fault suite's load: intakes at concurrency 8, each with its own Idempotency-Key, against whichever server is
/// current; a request left unanswered (connection lost) is queued again with the same key, and every answer's
/// status is counted. <see cref="CountAsync"/> then says what the database holds.
/// </summary>
public sealed class IntakeLoad(int total, AuthenticationHeaderValue token)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly ConcurrentQueue<int> _pending = new(Enumerable.Range(0, total));
    private readonly CancellationTokenSource _stop = new();

    public ConcurrentDictionary<int, long> Acknowledged { get; } = new();
    public ConcurrentDictionary<int, int> Statuses { get; } = new();
    public int Unanswered;

    public bool Done => Acknowledged.Count >= total;

    /// <summary>Runs the eight clients until every intake is acknowledged; <paramref name="port"/> names the server of the moment.</summary>
    public Task RunAsync(Func<int> port) => Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => WorkAsync(port))));

    public void Stop() => _stop.Cancel();

    private async Task WorkAsync(Func<int> port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        while (!_stop.IsCancellationRequested && !Done)
        {
            if (!_pending.TryDequeue(out var i)) { await Task.Delay(20); continue; }
            var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port()}/api/clues")
            {
                Content = new StringContent(Api.NewClue(c => c["description"] = $"故障测试 {_run} 第 {i} 件").ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = token;
            request.Headers.Add("Idempotency-Key", $"fault-{_run}-{i}");
            try
            {
                var response = await http.SendAsync(request);
                Statuses.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    Acknowledged[i] = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
                    continue;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                // The server died under the request: answered or not, the same key is sent again.
                Interlocked.Increment(ref Unanswered);
            }
            _pending.Enqueue(i);
            await Task.Delay(50);
        }
    }

    /// <summary>Clues stored, acknowledged ones missing, and keys (one per description) with more than one clue.</summary>
    public async Task<(long Stored, int Lost, long Doubled)> CountAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        var prefix = $"故障测试 {_run} %";
        var stored = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.clues WHERE description LIKE @prefix", new { prefix });
        var ids = Acknowledged.Values.ToArray();
        var found = await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM wageclue.clues WHERE id = ANY(@ids)", new { ids });
        var doubled = await conn.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM (SELECT description FROM wageclue.clues WHERE description LIKE @prefix GROUP BY description HAVING count(*) > 1) d", new { prefix });
        return (stored, ids.Length - (int)found, doubled);
    }

    /// <summary>Appends a run's figures to .local/faults-report.txt (the README's table is copied from there).</summary>
    public static async Task ReportAsync(string line)
    {
        TestContext.Out.WriteLine(line);
        var folder = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", ".local"));
        Directory.CreateDirectory(folder);
        await File.AppendAllTextAsync(Path.Combine(folder, "faults-report.txt"), $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC {line}\n");
    }

    public static bool Full => Environment.GetEnvironmentVariable("WAGECLUE_FAULTS") == "full";
}
