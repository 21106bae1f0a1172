using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton;

/// <summary>
/// The JSON conventions of Baton: camelCase names, enums as strings, nullable annotations and required
/// constructor parameters respected, so a wrong shape is rejected instead of read as nulls.
/// </summary>
public static class BatonJson
{
    /// <summary>The options every Baton component uses for payloads and contracts. Frozen: copy it to customize.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>A fresh, mutable copy of <see cref="Options"/>.</summary>
    public static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Serializes a value to a <see cref="JsonElement"/> with <see cref="Options"/>.</summary>
    public static JsonElement ToElement<T>(T value) => JsonSerializer.SerializeToElement(value, Options);
}
