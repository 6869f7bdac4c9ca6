using System.Runtime.InteropServices;

namespace WageClue.Benchmark;

public static class Machine
{
    /// <summary>"2 cores (model), 24 GB, Debian …, .NET …": enough to compare runs across machines.</summary>
    public static string Describe()
    {
        var model = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]
            : null;
        var gb = memory == null ? "?" : $"{long.Parse(memory) / 1024.0 / 1024.0:F0} GB";
        return $"{Environment.ProcessorCount} cores ({model ?? "unknown CPU"}), {gb}, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }
}
