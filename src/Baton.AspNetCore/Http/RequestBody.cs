using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Baton.AspNetCore.Http;

/// <summary>
/// Reads JSON request bodies with the size limit enforced before and while reading, so that malformed, mistyped or
/// oversized input always becomes a 400 or 413 problem, never a 500.
/// </summary>
internal static class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpContext http, long limit) where T : class
    {
        var bytes = await ReadBytesAsync(http, limit).ConfigureAwait(false);
        if (bytes.Length == 0) throw ApiProblemException.Malformed("A JSON request body is required.");
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, BatonJson.Options)
                ?? throw ApiProblemException.Malformed("The request body must be a JSON object, not null.");
        }
        catch (InvalidOperationException exception)
        {
            throw ApiProblemException.Malformed($"The request body cannot be read: {exception.Message}");
        }
    }

    /// <summary>Reads an optional body: empty means <c>null</c>.</summary>
    public static async Task<T?> ReadOptionalAsync<T>(HttpContext http, long limit) where T : class
    {
        var bytes = await ReadBytesAsync(http, limit).ConfigureAwait(false);
        if (bytes.Length == 0) return null;
        return JsonSerializer.Deserialize<T>(bytes, BatonJson.Options);
    }

    private static async Task<byte[]> ReadBytesAsync(HttpContext http, long limit)
    {
        if (http.Request.ContentLength is { } length && length > limit) throw TooLarge(length, limit);
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        var buffer = new ArrayBufferWriter<byte>();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false);
            if (read == 0) break;
            if (buffer.WrittenCount + read > limit) throw TooLarge(buffer.WrittenCount + read, limit);
            buffer.Write(chunk.AsSpan(0, read));
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static PayloadTooLargeException TooLarge(long size, long limit) => new("The request body", size, limit);
}
