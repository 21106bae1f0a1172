using System.Diagnostics;
using System.Globalization;

namespace Baton.Bench;

/// <summary>
/// The CPU time the hypervisor gave to other guests while this machine's vCPUs wanted to run ("steal", the eighth figure of
/// the <c>cpu</c> line of <c>/proc/stat</c>), over a window. On the project's VM the slow runs of the same build came with
/// several times the steal of the fast ones (push 19 in <c>bench/RESULTS.md</c>): a figure that tells a host stall from a
/// regression. Reported as a share of one core over the window, so 10% on two cores means a twentieth of the machine.
/// </summary>
internal readonly struct HostSteal
{
    private readonly long _ticks;
    private readonly long _at;

    private HostSteal(long ticks, long at)
    {
        _ticks = ticks;
        _at = at;
    }

    /// <summary>Starts a window; its figure is "?" where <c>/proc/stat</c> cannot be read.</summary>
    public static HostSteal Start() => new(ReadTicks(), Stopwatch.GetTimestamp());

    /// <summary>The steal since <see cref="Start"/>, as a percentage of one core, e.g. <c>3.2%</c>.</summary>
    public string Since()
    {
        var now = ReadTicks();
        if (_ticks < 0 || now < 0) return "?";
        // /proc/stat counts in USER_HZ (sysconf(_SC_CLK_TCK)), which is 100 per second on x86-64 and arm64 Linux.
        var stolenSeconds = (now - _ticks) / 100.0;
        return (stolenSeconds / Stopwatch.GetElapsedTime(_at).TotalSeconds * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    }

    private static long ReadTicks()
    {
        try
        {
            using var stat = new StreamReader("/proc/stat");
            // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
            var fields = stat.ReadLine()?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: > 8 } && fields[0] == "cpu" ? long.Parse(fields[8], CultureInfo.InvariantCulture) : -1;
        }
        catch (IOException)
        {
            return -1;
        }
        catch (UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
