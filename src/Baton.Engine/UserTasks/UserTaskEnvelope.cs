using System.Text.Json;
using Baton.Engine.Serialization;

namespace Baton.Engine.UserTasks;

/// <summary>
/// A completed user task's stored result: <c>{"data":…, "input":…, "completedBy":…}</c>, where input is the task's input
/// enriched with the data. The workflow reads it as a <see cref="UserTaskResult{TData}"/>; two completions are the same
/// outcome when their data is the same, whoever submitted it.
/// </summary>
internal static class UserTaskEnvelope
{
    /// <summary>The envelope for <paramref name="dataJson"/> submitted by <paramref name="completedBy"/>.</summary>
    public static string Create(string dataJson, string inputJson, string? enrichPath, string completedBy)
    {
        var input = enrichPath is null ? inputJson : EnrichPath.Merge(inputJson, enrichPath, dataJson);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WritePropertyName("data");
            writer.WriteRawValue(dataJson, skipInputValidation: true);
            writer.WritePropertyName("input");
            writer.WriteRawValue(input, skipInputValidation: true);
            writer.WriteString("completedBy", completedBy);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The data of an envelope (null when the text is not an envelope).</summary>
    public static string? DataOf(string? envelope)
    {
        if (envelope is null) return null;
        using var document = JsonDocument.Parse(envelope);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("data", out var data) ? data.GetRawText() : null;
    }

    /// <summary>The input of a user task from its arguments (a one-element array).</summary>
    public static string InputOf(string arguments)
    {
        using var document = JsonDocument.Parse(arguments);
        return document.RootElement is { ValueKind: JsonValueKind.Array } array && array.GetArrayLength() > 0 ? array[0].GetRawText() : "null";
    }

    /// <summary>Reads an envelope as the workflow's result.</summary>
    public static UserTaskResult<TData> Read<TData>(string? envelope, PayloadCodec codec)
    {
        using var document = JsonDocument.Parse(envelope ?? "null");
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data))
            throw new JsonException("A user task's result is not a {data, input} envelope.");
        return new UserTaskResult<TData>
        {
            Outcome = UserTaskOutcome.Completed,
            Data = (TData?)codec.Deserialize(data.GetRawText(), typeof(TData)),
            Input = root.TryGetProperty("input", out var input) ? input.Clone() : default,
            CompletedBy = root.TryGetProperty("completedBy", out var by) && by.ValueKind == JsonValueKind.String ? by.GetString() : null,
        };
    }
}
