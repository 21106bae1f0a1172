using System.Diagnostics;

namespace Baton.Bench.Scenarios;

/// <summary>
/// Where a DRT workflow's cycle goes, as mean milliseconds of four consecutive stages: the start call; from its return until
/// the completer calls the completion API (the first step, the task's dispatch, the handler); the completion call; from its
/// return until the client observes the result (the second step, the finish notice, the client's read). Means, not
/// percentiles, so that the stages add up to the cycle: with C workflows always in flight, C divided by the throughput.
/// </summary>
internal sealed class DrtStages(int workflows)
{
    /// <summary>When the completer issued each workflow's completion call (Stopwatch timestamps, by workflow index).</summary>
    public long[] Issued { get; } = new long[workflows];

    /// <summary>When each workflow's completion call returned.</summary>
    public long[] Completed { get; } = new long[workflows];

    private readonly double[] _sums = new double[4];
    private int _count;

    /// <summary>Adds workflow <paramref name="i"/>'s stages, from its start call's begin and end and the moment its result was observed.</summary>
    public void Add(int i, long startBegan, long startReturned, long observed)
    {
        long issued = Volatile.Read(ref Issued[i]), completed = Volatile.Read(ref Completed[i]);
        // The workflow can finish, and its client see it, before the completer's call has returned (over HTTP the answer is
        // still on its way): that call then ended, as far as the cycle goes, when the result was observed.
        if (completed == 0 || completed > observed)
        {
            completed = observed;
        }
        lock (_sums)
        {
            _sums[0] += Ms(startBegan, startReturned);
            _sums[1] += Ms(startReturned, issued);
            _sums[2] += Ms(issued, completed);
            _sums[3] += Ms(completed, observed);
            _count++;
        }
    }

    /// <summary>The figure for the result line, e.g. <c>stages_ms=24/135/22/76</c>.</summary>
    public override string ToString()
    {
        lock (_sums)
            return "stages_ms=" + string.Join('/', _sums.Select(s => Measure.F(_count == 0 ? 0 : s / _count)));
    }

    private static double Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
