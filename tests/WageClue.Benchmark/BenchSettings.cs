namespace WageClue.Benchmark;

/// <param name="Sizes">Clue counts the dashboard queries are measured at (the first, then the second).</param>
/// <param name="SpreadDays">
/// The days the generated clues are received over. 120 in the full and short runs: a million clues is then 8 300 a day,
/// far more than a city gets, which is the harsher test of what grows with daily volume. A decade in the province
/// run: 10 million clues is then a province's ten years (2 700 a day), as the scale issue puts it.
/// </param>
/// <param name="ImportRows">Rows of the CSV batch posted to /api/imports.</param>
/// <param name="PerSize">
/// The province's decade (--province): the dashboards, search, the storm and the import at each size, to show how
/// each grows; the intake ceiling the import is compared with; no transition or lifecycle runs (the full run has them).
/// </param>
public sealed record BenchSettings(
    string Mode, int[] Concurrency, TimeSpan RunLength, int Repeats, int[] Sizes, int QueryRuns, int StormClocks, int StormRepeats, int TransitionClues,
    int ImportRows, int SpreadDays = 120, bool PerSize = false)
{
    public static readonly BenchSettings Full = new("full", [1, 8, 16, 32], TimeSpan.FromSeconds(5), 3, [100_000, 1_000_000], 40, 10_000, 3, 150_000, 10_000);

    public static readonly BenchSettings Short = new("short", [1, 16], TimeSpan.FromSeconds(0.5), 3, [1_000, 5_000], 5, 200, 1, 5_000, 300);

    public static readonly BenchSettings Province = new("province", [1, 8], TimeSpan.FromSeconds(5), 3, [1_000_000, 10_000_000], 40, 100_000, 1, 0, 100_000,
        SpreadDays: 3650, PerSize: true);
}
