using System.Text;

namespace WageClue.Benchmark;

/// <summary>The table the run prints, and the targets of the benchmark issue as ratios that hold on a noisy machine.</summary>
public static class Report
{
    public static IReadOnlyList<Target> Targets(BenchResults r, BenchSettings settings)
    {
        var targets = new List<Target>();
        ThroughputRow? At16(IReadOnlyList<ThroughputRow> rows) => rows.FirstOrDefault(x => x.Concurrency == 16);
        if (At16(r.IntakeApi) is { RatioToCeiling: { } intake })
            targets.Add(new("intake API / ceiling at concurrency 16", "≥ 65 %", $"{intake:P0}", intake >= 0.65));
        if (At16(r.TransitionApi) is { RatioToCeiling: { } transition })
            targets.Add(new("transition API / ceiling at concurrency 16", "≥ 70 %", $"{transition:P0}", transition >= 0.7));
        var large = settings.Sizes[^1];
        var small = settings.Sizes[0];
        foreach (var q in r.Dashboard.Where(d => d.Clues == large))
        {
            targets.Add(new($"{q.Query}: p95 at {large:N0}", "≤ 50 ms", $"{q.P95Ms:F1} ms", q.P95Ms <= 50));
            var before = r.Dashboard.Single(d => d.Query == q.Query && d.Clues == small);
            var growth = q.P95Ms / Math.Max(before.P95Ms, 0.001);
            targets.Add(new($"{q.Query}: p95 {large:N0} / {small:N0}", "≤ 2×", $"{growth:F1}×", growth <= 2));
        }
        foreach (var s in r.Storms)
        {
            var at = $"at {s.Clues:N0} clues";
            targets.Add(new($"storm of {s.Clocks:N0} clocks escalated and queued {at} (slowest of {s.Storms})", "≤ 60 s", $"{s.SecondsToRecorded.Max:F1} s", s.SecondsToRecorded.Max <= 60));
            targets.Add(new($"outbox drain to the SMTP sink {at} (slowest of {s.Storms})", "≥ 200 emails/s", $"{s.DrainPerSecond.Min:F0} /s", s.DrainPerSecond.Min >= 200));
            targets.Add(new($"duplicate escalation emails {at}", "0", $"{s.Duplicates} (delivered {s.Delivered:N0})", s.Duplicates == 0 && s.Delivered == s.Clocks * s.Storms));
        }
        // An import row is an intake (checked, then registered in its own transaction, ClueImport.Parallelism at once):
        // half of the most intakes per second this database took leaves room for the caseworkers' own work meanwhile.
        foreach (var i in r.Imports)
            targets.Add(new($"import of {i.Rows:N0} rows at {i.Clues:N0} clues, of the intake ceiling", "≥ 50 %",
                $"{i.RowsPerSecond:F0} rows/s ({i.OfIntakeCeiling:P0})", i.OfIntakeCeiling >= 0.5 && i.Created + i.Refused == i.Rows));
        targets.Add(new("server peak resident memory", "≤ 400 MB", $"{r.PeakServerMb:F0} MB", r.PeakServerMb <= 400));
        return targets;
    }

    public static string Table(BenchResults r)
    {
        var t = new StringBuilder();
        t.AppendLine($"WageClue benchmark ({r.Mode}), {r.At:yyyy-MM-dd HH:mm} UTC, {r.Machine}");
        t.AppendLine();
        t.AppendLine("Throughput: median per second of 3 runs (min-max); latency percentiles over all runs");
        t.AppendLine($"{"",-34} {"conc",4} {"per second",24} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"of ceiling",10}");
        void Rows(string name, IReadOnlyList<ThroughputRow> rows)
        {
            foreach (var x in rows)
                t.AppendLine($"{name,-34} {x.Concurrency,4} {x.PerSecond,24} {x.P50Ms,8:F1} {x.P95Ms,8:F1} {x.P99Ms,8:F1} {(x.RatioToCeiling is { } q ? $"{q:P0}" : ""),10}");
        }
        Rows("intake ceiling (Npgsql)", r.IntakeCeiling);
        Rows("intake via API", r.IntakeApi);
        Rows("transitions ceiling (Npgsql)", r.TransitionCeiling);
        Rows("transitions via API", r.TransitionApi);
        if (r.ExtensionApi != null) Rows("extension request + approval via API", r.ExtensionApi);
        if (r.PauseResumeApi != null) Rows("suspend + resume via API", r.PauseResumeApi);
        t.AppendLine();
        t.AppendLine($"{"Dashboard query",-44} {"clues",10} {"p50 ms",8} {"p95 ms",8}");
        foreach (var q in r.Dashboard) t.AppendLine($"{q.Query,-44} {q.Clues,10:N0} {q.P50Ms,8:F1} {q.P95Ms,8:F1}");
        foreach (var z in r.Sizes)
        {
            t.AppendLine($"{"(background, nightly) summaries rebuilt",-44} {z.Clues,10:N0} {z.StatsRebuildMs,8:F0} ms");
            t.AppendLine($"{"(background, 5-minutely) recent days rebuilt",-44} {z.Clues,10:N0} {z.RecentRebuildMs,8:F0} ms");
        }
        t.AppendLine();
        foreach (var s in r.Storms)
            t.AppendLine($"Storm ({s.Storms}×) at {s.Clues:N0} clues: {s.Clocks:N0} clocks due at one minute; all escalated and queued after {s.SecondsToRecorded} s; " +
                $"drained at {s.DrainPerSecond} emails/s; {s.Delivered:N0} delivered, {s.Duplicates} duplicates");
        foreach (var i in r.Imports)
            t.AppendLine($"Import at {i.Clues:N0} clues: {i.Rows:N0} CSV rows ({i.Created:N0} created, {i.Refused:N0} refused) in {i.Seconds:F1} s, " +
                $"{i.RowsPerSecond:F0} rows/s, {i.OfIntakeCeiling:P0} of the intake ceiling");
        t.AppendLine($"Server peak resident memory {r.PeakServerMb:F0} MB; database (wageclue schema) {r.DatabaseMbPer100kClues:F1} MB per 100 000 clues");
        t.AppendLine();
        t.AppendLine($"{"Target",-60} {"goal",-16} {"measured",-22} ");
        foreach (var x in r.Targets) t.AppendLine($"{x.Name,-60} {x.Goal,-16} {x.Measured,-22} {(x.Met ? "met" : "MISSED")}");
        return t.ToString();
    }
}
