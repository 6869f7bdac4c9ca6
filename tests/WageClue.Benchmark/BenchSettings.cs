namespace WageClue.Benchmark;

/// <param name="Sizes">Clue counts the dashboard queries are measured at (the first, then the second).</param>
public sealed record BenchSettings(
    string Mode, int[] Concurrency, TimeSpan RunLength, int Repeats, int[] Sizes, int QueryRuns, int StormClocks, int StormRepeats, int TransitionClues)
{
    public static readonly BenchSettings Full = new("full", [1, 8, 16, 32], TimeSpan.FromSeconds(5), 3, [100_000, 1_000_000], 40, 10_000, 3, 150_000);

    public static readonly BenchSettings Short = new("short", [1, 16], TimeSpan.FromSeconds(0.5), 3, [1_000, 5_000], 5, 200, 1, 5_000);
}
