namespace Baton.Bench.Tests;

/// <summary>The median line of <c>--runs R</c>, which RESULTS.md quotes as a scenario's figure.</summary>
public sealed class RunLinesTests
{
    [Fact]
    public void Median_SingleFigures_MedianOfEachWithTheFirstLinesDecimals()
    {
        var median = RunLines.Median([
            "DRT baton-sqlite-inproc N=20000 C=1000 throughput=5703/s p50=67.8ms p99=108ms steal=0.3%",
            "DRT baton-sqlite-inproc N=20000 C=1000 throughput=7105/s p50=55.2ms p99=88.5ms steal=5.1%",
            "DRT baton-sqlite-inproc N=20000 C=1000 throughput=5350/s p50=71.4ms p99=105ms steal=0.0%",
        ]);

        Assert.Equal("DRT baton-sqlite-inproc N=20000 C=1000 throughput=5703/s p50=67.8ms p99=105ms steal=0.3%", median);
    }

    [Fact]
    public void Median_GroupFigure_EachPartItsOwnMedian()
    {
        var median = RunLines.Median([
            "writer_ms=4.31/6.81/1.26 jit=78/90ms",
            "writer_ms=2.79/5.28/1.31 jit=78/173ms",
            "writer_ms=4.08/7.03/1.63 jit=84/67ms",
        ]);

        Assert.Equal("writer_ms=4.08/6.81/1.31 jit=78/90ms", median);
    }

    [Fact]
    public void Median_SizesAndText_KeptFromTheFirstLine()
    {
        var median = RunLines.Median([
            "COMPLETE baton-sqlite-http N=5 at_2000=p99_6.4ms writer_ms=2.00/- client=httpclient",
            "COMPLETE baton-sqlite-http N=7 at_2000=p99_26.5ms writer_ms=1.00/- client=raw",
            "COMPLETE baton-sqlite-http N=9 at_2000=p99_6.7ms writer_ms=3.00/- client=raw",
        ]);

        Assert.Equal("COMPLETE baton-sqlite-http N=5 at_2000=p99_6.4ms writer_ms=2.00/- client=httpclient", median);
    }

    [Fact]
    public void Median_EvenCountOrMissingFigure_UpperMedianOfTheLinesThatHaveIt()
    {
        var median = RunLines.Median([
            "throughput=100/s completion_errors=1",
            "throughput=400/s",
            "throughput=200/s completion_errors=3",
            "throughput=300/s",
        ]);

        Assert.Equal("throughput=300/s completion_errors=3", median);
    }

    [Fact]
    public void Median_NoLines_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => RunLines.Median([]));
}
