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

    /// <summary>
    /// CPU time so far (user and system) of this process's threads whose kernel name matches <paramref name="name"/> (Linux cuts
    /// thread names to 15 characters: "Baton SQLite writer" is "Baton SQLite wr"); null where <c>/proc</c> is missing.
    /// </summary>
    public static TimeSpan? ThreadsCpu(Func<string, bool> name)
    {
        if (!Directory.Exists("/proc/self/task")) return null;
        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                if (!name(stat[(open + 1)..close])) continue;
                // After the name: state is field 3 of stat(5), utime 14 and stime 15, in clock ticks (USER_HZ, 100 on Linux).
                var fields = stat[(close + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>The store's writer threads: SQLite's one, or PostgreSQL's "Baton PostgreSQL writer N".</summary>
    public static bool IsWriterThread(string name) => name is "Baton SQLite wr" || name.StartsWith("Baton PostgreSQ", StringComparison.Ordinal);

    public static string F(double value) => value.ToString(value >= 100 ? "0" : "0.0", CultureInfo.InvariantCulture);
}
