namespace WageClue.Benchmark;

/// <summary>Medians and spreads of repeated measurements, and latency percentiles.</summary>
public static class Stats
{
    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public static Spread SpreadOf(IReadOnlyList<double> values) => new(Median(values), values.Min(), values.Max());
}

/// <summary>The median of the repeats and the range they covered.</summary>
public sealed record Spread(double Median, double Min, double Max)
{
    public override string ToString() => $"{Median,8:F1} ({Min:F1}-{Max:F1})";
}
