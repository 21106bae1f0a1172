using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;

namespace Baton.Storage.Relational;

/// <summary>JSON texts the store writes: tags, meta, errors, progress, timer due times.</summary>
internal static class JsonText
{
    // Most workflows and tasks carry no tags and no meta: their texts are constants, and reading them back gives shared empty
    // collections, with no serializer call on the writer for either.
    private const string NoTags = "[]";
    private const string NoMeta = "{}";

    public static string Tags(IReadOnlyList<string> tags) => tags.Count == 0 ? NoTags : JsonSerializer.Serialize(tags, BatonJson.Options);

    public static string Meta(IReadOnlyDictionary<string, string> meta) => meta.Count == 0 ? NoMeta : JsonSerializer.Serialize(meta, BatonJson.Options);

    public static IReadOnlyList<string> ReadTags(string json) =>
        json == NoTags ? [] : JsonSerializer.Deserialize<List<string>>(json, BatonJson.Options) ?? [];

    public static IReadOnlyDictionary<string, string> ReadMeta(string json) =>
        json == NoMeta ? ReadOnlyDictionary<string, string>.Empty : JsonSerializer.Deserialize<Dictionary<string, string>>(json, BatonJson.Options) ?? [];

    public static string Error(string type, string message) => JsonSerializer.Serialize(new TaskError(type, message), BatonJson.Options);

    public static string Time(DateTimeOffset time) => JsonSerializer.Serialize(time, BatonJson.Options);

    /// <summary><c>{"percent":..,"message":..,"details":..}</c>, details embedded as JSON (or as a string when it is not JSON).</summary>
    public static string Progress(double? percent, string? message, string? details)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (percent is { } p)
            {
                writer.WriteNumber("percent", p);
            }
            else
            {
                writer.WriteNull("percent");
            }
            writer.WriteString("message", message);
            writer.WritePropertyName("details");
            if (details is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                try
                {
                    using var doc = JsonDocument.Parse(details);
                    doc.RootElement.WriteTo(writer);
                }
                catch (JsonException)
                {
                    writer.WriteStringValue(details);
                }
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
