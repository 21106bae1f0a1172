using System.Text;
using System.Text.Json;

namespace Baton.Engine.Serialization;

/// <summary>Turns payloads into stored JSON text and back, with the size limit and the JSON conventions of <see cref="BatonJson"/>.</summary>
internal sealed class PayloadCodec(JsonSerializerOptions options, int maxPayloadBytes)
{
    public JsonSerializerOptions Options { get; } = options;

    public int MaxPayloadBytes { get; } = maxPayloadBytes;

    public string Serialize(object? value, Type type) => JsonSerializer.Serialize(value, type, Options);

    public object? Deserialize(string? json, Type type) =>
        json is null ? null : JsonSerializer.Deserialize(json, type, Options);

    public T? Deserialize<T>(string? json) => json is null ? default : JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>The compact JSON text of a caller's payload, after checking its size.</summary>
    public string Accept(JsonElement? value, string what)
    {
        var text = value is { ValueKind: not JsonValueKind.Undefined } v ? v.GetRawText() : "null";
        CheckSize(text, what);
        return text;
    }

    public void CheckSize(string json, string what)
    {
        // A UTF-16 char encodes to at most 3 UTF-8 bytes: short texts need no counting.
        if ((long)json.Length * 3 <= MaxPayloadBytes) return;
        var size = Encoding.UTF8.GetByteCount(json);
        if (size > MaxPayloadBytes) throw new PayloadTooLargeException(what, size, MaxPayloadBytes);
    }

    public static JsonElement? ToElement(string? json) =>
        json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    public string SerializeError(TaskError error) => JsonSerializer.Serialize(error, Options);

    public TaskError? DeserializeError(string? json) => json is null ? null : JsonSerializer.Deserialize<TaskError>(json, Options);

    /// <summary>Whether two JSON texts denote the same value (member order and whitespace aside).</summary>
    public bool SameJson(string? a, string? b)
    {
        if (a is null || b is null) return a is null && b is null || (a ?? b) == "null";
        using var left = JsonDocument.Parse(a);
        using var right = JsonDocument.Parse(b);
        return JsonElement.DeepEquals(left.RootElement, right.RootElement);
    }
}
