using System.Diagnostics;
using System.Globalization;

namespace Baton.Bench;

internal static class Measure
{
    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        var rank = (int)Math.Ceiling(p / 100.0 * values.Count) - 1;
        return values[Math.Clamp(rank, 0, values.Count - 1)];
    }

    public static double Ms(long fromTimestamp, long toTimestamp) => Stopwatch.GetElapsedTime(fromTimestamp, toTimestamp).TotalMilliseconds;

    /// <summary>Peak resident set (VmHWM) in MiB, or PeakWorkingSet64 where /proc is missing.</summary>
    public static long PeakRssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64 / (1024 * 1024);
    }

    /// <summary>Current resident set (VmRSS) in MiB.</summary>
    public static long RssMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
        }
        catch (IOException)
        {
        }
        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64 / (1024 * 1024);
    }

    public static string F(double value) => value.ToString(value >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);
}
