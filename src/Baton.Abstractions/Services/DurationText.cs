using System.Globalization;

namespace Baton;

/// <summary>Parses the invariant <see cref="TimeSpan"/> text that attributes use for durations.</summary>
internal static class DurationText
{
    public static TimeSpan Parse(string text, string what) =>
        TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new ArgumentException($"'{text}' is not a valid duration for {what}; use the invariant TimeSpan format such as \"7.00:00:00\" or \"00:00:30\".", what);

    public static TimeSpan? ParseOptional(string? text, string what) =>
        string.IsNullOrWhiteSpace(text) ? null : Parse(text, what);
}
