using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Baton.Bench;

/// <summary>
/// Sleeps the calling thread until a <see cref="Stopwatch"/> timestamp. On Linux the timestamp is <c>CLOCK_MONOTONIC</c> in
/// nanoseconds, so <c>clock_nanosleep</c> wakes the thread within the kernel's timer slack (50 µs by default) of it; elsewhere
/// the sleep is rounded up to whole milliseconds, as <see cref="Thread.Sleep(int)"/> is.
/// </summary>
internal static partial class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const long NanosecondsPerSecond = 1_000_000_000;

    public static void Until(long timestamp)
    {
        if (OperatingSystem.IsLinux() && Stopwatch.Frequency == NanosecondsPerSecond)
        {
            var at = new Timespec(timestamp / NanosecondsPerSecond, timestamp % NanosecondsPerSecond);
            // A signal ends the sleep early (EINTR); callers check the clock again anyway.
            _ = ClockNanosleep(ClockMonotonic, TimerAbsoluteTime, in at, IntPtr.Zero);
            return;
        }
        var ms = Math.Ceiling(Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp).TotalMilliseconds);
        Thread.Sleep((int)Math.Clamp(ms, 1, int.MaxValue));
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);

    [LibraryImport("libc.so.6", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in Timespec request, IntPtr remaining);
}
