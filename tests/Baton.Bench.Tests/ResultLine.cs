using System.Globalization;
using System.Text.RegularExpressions;

namespace Baton.Bench.Tests;

/// <summary>The <c>key=value</c> figures of one line the harness printed.</summary>
internal static partial class ResultLine
{
    public static IReadOnlyDictionary<string, string> Figures(string line) =>
        Pair().Matches(line).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value, StringComparer.Ordinal);

    /// <summary>The number a figure starts with (<c>p99=8.1ms</c> gives 8.1).</summary>
    public static double Number(string line, string key)
    {
        var figures = Figures(line);
        Assert.True(figures.TryGetValue(key, out var value), $"no {key}= in: {line}");
        var number = LeadingNumber().Match(value);
        Assert.True(number.Success, $"{key}={value} is not a number in: {line}");
        return double.Parse(number.Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"(?<key>[A-Za-z0-9_]+)=(?<value>\S+)")]
    private static partial Regex Pair();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?")]
    private static partial Regex LeadingNumber();
}
