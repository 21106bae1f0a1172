using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton;

/// <summary>A duration as a whole number of milliseconds in JSON (the user-task <c>timeout</c>).</summary>
public sealed class MillisecondsConverter : JsonConverter<TimeSpan?>
{
    /// <inheritdoc/>
    public override bool HandleNull => true;

    /// <inheritdoc/>
    public override TimeSpan? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var ms) || ms < 0 || ms > (long)TimeSpan.MaxValue.TotalMilliseconds)
            throw new JsonException("Expected a non-negative whole number of milliseconds.");
        return TimeSpan.FromMilliseconds(ms);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TimeSpan? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteNumberValue((long)v.TotalMilliseconds);
        else writer.WriteNullValue();
    }
}

/// <summary>
/// A moment in JSON as epoch milliseconds (the user-task <c>timeoutOn</c>) or as an ISO 8601 text; written as epoch
/// milliseconds.
/// </summary>
public sealed class FlexibleTimestampConverter : JsonConverter<DateTimeOffset?>
{
    /// <inheritdoc/>
    public override bool HandleNull => true;

    /// <inheritdoc/>
    public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt64(out var ms) && ms >= 0 && ms <= 253_402_300_799_999:
                return DateTimeOffset.FromUnixTimeMilliseconds(ms);
            case JsonTokenType.String when reader.TryGetDateTimeOffset(out var moment):
                return moment;
            default:
                throw new JsonException("Expected epoch milliseconds or an ISO 8601 date and time.");
        }
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
    {
        if (value is { } v) writer.WriteNumberValue(v.ToUnixTimeMilliseconds());
        else writer.WriteNullValue();
    }
}
