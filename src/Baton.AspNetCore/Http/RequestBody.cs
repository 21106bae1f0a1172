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
        var declared = http.Request.ContentLength;
        if (declared is { } length && (length > limit || length > Array.MaxLength)) throw TooLarge(length, Math.Min(limit, Array.MaxLength));
        var feature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false }) feature.MaxRequestBodySize = limit;
        // A declared length (the usual case) is read straight into an array of that size: the server ends the body there.
        return declared is { } exact
            ? await ReadExactlyAsync(http, (int)exact).ConfigureAwait(false)
            : await ReadChunkedAsync(http, limit).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadExactlyAsync(HttpContext http, int length)
    {
        if (length == 0) return [];
        var bytes = new byte[length];
        var filled = 0;
        while (filled < length)
        {
            var read = await http.Request.Body.ReadAsync(bytes.AsMemory(filled), http.RequestAborted).ConfigureAwait(false);
            if (read == 0) throw ApiProblemException.Malformed($"The request body ended after {filled} of the {length} bytes its Content-Length declares.");
            filled += read;
        }
        return bytes;
    }

    private static async Task<byte[]> ReadChunkedAsync(HttpContext http, long limit)
    {
        var buffer = new ArrayBufferWriter<byte>();
        // Pooled: a fresh 16 KiB array per request was most of what a small completion allocated.
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted).ConfigureAwait(false);
                if (read == 0) break;
                if (buffer.WrittenCount + read > limit) throw TooLarge(buffer.WrittenCount + read, limit);
                buffer.Write(chunk.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static PayloadTooLargeException TooLarge(long size, long limit) => new("The request body", size, limit);
}
