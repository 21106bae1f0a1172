using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Baton.AspNetCore.Http;

/// <summary>Strict parsing of query-string values: anything malformed is a 400 problem naming the parameter.</summary>
internal static class QueryText
{
    public static string? String(HttpContext http, string name)
    {
        var values = http.Request.Query[name];
        if (values.Count > 1) throw ApiProblemException.BadRequest($"Query parameter '{name}' is given more than once.");
        var value = values.Count == 0 ? null : values[0];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    public static int? Int(HttpContext http, string name, int min, int max)
    {
        if (String(http, name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw ApiProblemException.BadRequest($"Query parameter '{name}' must be an integer from {min} to {max}.");
        return value;
    }

    public static TEnum? Enum<TEnum>(HttpContext http, string name) where TEnum : struct, Enum
    {
        if (String(http, name) is not { } text) return null;
        return ParseEnum<TEnum>(text, name);
    }

    public static TEnum ParseEnum<TEnum>(string text, string name) where TEnum : struct, Enum
    {
        if (text.Length > 0 && !char.IsDigit(text[0]) && text[0] != '-'
            && System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value))
            return value;
        throw ApiProblemException.BadRequest($"'{name}' must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.");
    }

    /// <summary>An ISO 8601 date and time, or epoch milliseconds.</summary>
    public static DateTimeOffset? Timestamp(HttpContext http, string name)
    {
        if (String(http, name) is not { } text) return null;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms is >= 0 and <= 253_402_300_799_999)
            return DateTimeOffset.FromUnixTimeMilliseconds(ms);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment)) return moment;
        throw ApiProblemException.BadRequest($"Query parameter '{name}' must be an ISO 8601 date and time or epoch milliseconds.");
    }

    public static TimeSpan? Duration(HttpContext http, string name, TimeSpan max)
    {
        if (String(http, name) is not { } text) return null;
        var value = ParseDuration(text) ?? throw ApiProblemException.BadRequest(
            $"Query parameter '{name}' must be a duration such as 30s, 5m, 2h, 7d, 1500ms, a number of seconds or 00:00:30.");
        if (value < TimeSpan.Zero || value > max) throw ApiProblemException.BadRequest($"Query parameter '{name}' must be between 0 and {max}.");
        return value;
    }

    /// <summary>Parses <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>7d</c>, <c>1500ms</c>, plain seconds, or a TimeSpan.</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        (string number, double unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600),
            _ when text.EndsWith('d') || text.EndsWith('D') => (text[..^1], 86400),
            _ => (text, 1),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && double.IsFinite(amount)
            && amount >= 0 && amount * unit < TimeSpan.MaxValue.TotalSeconds / 2)
            return TimeSpan.FromSeconds(amount * unit);
        return text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) ? span : null;
    }
}
