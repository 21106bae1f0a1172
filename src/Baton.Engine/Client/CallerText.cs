namespace Baton.Engine;

/// <summary>
/// Checks on text that callers hand over and the stores compare or keep as text. PostgreSQL's text refuses U+0000 outright,
/// so without them a caller's stray NUL failed inside the store (a 500 over HTTP) instead of being refused as the caller's
/// mistake; these refuse it the same way on every store.
/// </summary>
internal static class CallerText
{
    /// <summary>
    /// Refuses a filter value with a control character: no name, id or tag Baton accepts holds one (see the checks where they
    /// are given), so such a filter could match nothing.
    /// </summary>
    public static void CheckFilter(string? value, string filter)
    {
        if (value is not null && value.Any(char.IsControl))
            throw new BatonException(BatonErrorCodes.InvalidArgument, $"The {filter} filter cannot contain control characters.");
    }

    /// <summary>Refuses free text with the NUL character (U+0000), which PostgreSQL cannot store; line breaks and tabs are text.</summary>
    public static void CheckFreeText(string? value, string what)
    {
        if (value is not null && value.Contains('\0', StringComparison.Ordinal))
            throw new BatonException(BatonErrorCodes.InvalidArgument, $"{what} cannot contain the NUL character (U+0000).");
    }
}
