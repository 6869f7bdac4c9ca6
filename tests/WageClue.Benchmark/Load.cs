using System.Diagnostics;

namespace WageClue.Benchmark;

/// <summary>One measured run: operations per second and each operation's latency.</summary>
public sealed record LoadResult(double PerSecond, IReadOnlyList<double> LatenciesMs, int Errors);

/// <summary>Runs an operation from N concurrent workers for a while, as fast as it completes.</summary>
public static class Load
{
    /// <param name="operation">Returns false when it has no more work (a queue ran dry): that worker stops.</param>
    public static async Task<LoadResult> RunAsync(int concurrency, TimeSpan duration, Func<Task<bool>> operation)
    {
        var latencies = new List<double>[concurrency];
        var errors = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async w =>
        {
            latencies[w] = [];
            while (clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    if (!await operation()) return;
                }
                catch (Exception e)
                {
                    if (Interlocked.Increment(ref errors) <= 3) Console.Error.WriteLine($"  operation failed: {e.Message}");
                    continue;
                }
                latencies[w].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }).ToList();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToList();
        return new LoadResult(all.Count / elapsed, all, errors);
    }
}
