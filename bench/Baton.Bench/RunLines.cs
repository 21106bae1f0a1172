using System.Globalization;
using System.Text.RegularExpressions;

namespace Baton.Bench;

/// <summary>The median line that <c>--runs R</c> prints after the lines of its R runs.</summary>
internal static partial class RunLines
{
    /// <summary>
    /// The first line with every figure replaced by the median of that figure across <paramref name="lines"/> (the upper one
    /// of an even count), written with as many decimals as the first line gives it. A figure is
    /// <c>key=&lt;number&gt;&lt;unit&gt;</c>, or a group such as <c>writer_ms=2.79/5.28/1.31</c>, whose parts each get their own
    /// median. The sizes <c>N</c> and <c>C</c> are kept; a figure or part some lines lack is the median of the lines that have
    /// it; text such as <c>-</c> or <c>p99_8.1ms</c> is kept as the first line has it.
    /// </summary>
    public static string Median(IReadOnlyList<string> lines)
    {
        ArgumentOutOfRangeException.ThrowIfZero(lines.Count);
        var figures = lines.Select(Figures).ToList();
        return Figure().Replace(lines[0], m =>
        {
            var key = m.Groups["key"].Value;
            if (key is "N" or "C") return m.Value;
            var parts = m.Groups["value"].Value.Split('/');
            var medians = parts.Select((first, i) =>
            {
                var values = figures.Select(f => f.TryGetValue(key, out var v) && i < v.Length ? v[i] : (double?)null)
                    .OfType<double>().Order().ToList();
                var point = first.IndexOf('.', StringComparison.Ordinal);
                return values[values.Count / 2].ToString(point < 0 ? "F0" : $"F{first.Length - point - 1}", CultureInfo.InvariantCulture);
            });
            return $"{key}={string.Join('/', medians)}{m.Groups["unit"].Value}";
        });
    }

    private static Dictionary<string, double[]> Figures(string line)
    {
        var figures = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (Match m in Figure().Matches(line))
        {
            figures.TryAdd(m.Groups["key"].Value, [.. m.Groups["value"].Value.Split('/').Select(p => double.Parse(p, CultureInfo.InvariantCulture))]);
        }
        return figures;
    }

    // A number, or numbers joined by '/'; then a unit such as ms, kb, % or /s.
    [GeneratedRegex("(?<key>[a-z0-9_]+)=(?<value>[0-9]+(\\.[0-9]+)?(/[0-9]+(\\.[0-9]+)?)*)(?<unit>[a-z%]*(/s)?)")]
    private static partial Regex Figure();
}
