using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Baton.Engine;

/// <summary>Opaque keyset cursors: the (sort key, id) of the last row of a page, base64url-encoded.</summary>
internal static class PageCursor
{
    public static string Encode(DateTimeOffset at, string id) => EncodeKey(at.ToUnixTimeMilliseconds(), id);

    public static (DateTimeOffset At, string Id)? Decode(string? cursor) =>
        DecodeKey(cursor) is { } key ? (DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(key.Key, 0, 253_402_300_799_999)), key.Id) : null;

    /// <summary>A cursor for any integer sort key (a time in ms, a priority) and the row id.</summary>
    public static string EncodeKey(long key, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{key.ToString(CultureInfo.InvariantCulture)}|{id}"));

    public static (long Key, string Id)? DecodeKey(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.Integer, CultureInfo.InvariantCulture, out var key))
                return (key, text[(bar + 1)..]);
        }
        catch (FormatException)
        {
        }
        throw new BatonException(BatonErrorCodes.InvalidArgument, "The cursor is not one this server issued.");
    }

    public static int CheckLimit(int limit) =>
        limit is >= 1 and <= 500 ? limit : throw new BatonException(BatonErrorCodes.InvalidArgument, "limit must be between 1 and 500.");
}
