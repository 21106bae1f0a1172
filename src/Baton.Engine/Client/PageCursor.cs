using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Baton.Engine;

/// <summary>Opaque keyset cursors: the (time, id) of the last row of a page, base64url-encoded.</summary>
internal static class PageCursor
{
    public static string Encode(DateTimeOffset at, string id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}|{id}"));

    public static (DateTimeOffset At, string Id)? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
                return (DateTimeOffset.FromUnixTimeMilliseconds(ms), text[(bar + 1)..]);
        }
        catch (FormatException)
        {
        }
        throw new BatonException(BatonErrorCodes.InvalidArgument, "The cursor is not one this server issued.");
    }

    public static int CheckLimit(int limit) =>
        limit is >= 1 and <= 500 ? limit : throw new BatonException(BatonErrorCodes.InvalidArgument, "limit must be between 1 and 500.");
}
