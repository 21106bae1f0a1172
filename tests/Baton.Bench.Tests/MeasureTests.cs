namespace Baton.Bench.Tests;

/// <summary>The percentiles every scenario reports: nearest rank, so a p99 is a latency some request really had.</summary>
public sealed class MeasureTests
{
    [Theory]
    [InlineData(50, 50)]
    [InlineData(99, 99)]
    [InlineData(99.9, 100)]
    [InlineData(100, 100)]
    [InlineData(0, 1)]
    public void Percentile_HundredValues_NearestRank(double p, double expected)
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        Assert.Equal(expected, Measure.Percentile(values, p));
    }

    [Fact]
    public void Percentile_OneValueOrNone_ThatValueOrNaN()
    {
        Assert.Equal(7.5, Measure.Percentile([7.5], 99));
        Assert.True(double.IsNaN(Measure.Percentile([], 50)));
    }

    [Theory]
    [InlineData(8.14, "8.1")]
    [InlineData(0.04, "0.0")]
    [InlineData(99.94, "99.9")]
    [InlineData(123.4, "123")]
    public void F_Value_OneDecimalUnderAHundred(double value, string expected) => Assert.Equal(expected, Measure.F(value));
}
