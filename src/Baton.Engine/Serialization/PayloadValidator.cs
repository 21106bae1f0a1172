using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Schema;
using Json.Schema;

namespace Baton.Engine.Serialization;

/// <summary>
/// Checks a payload against a declared .NET type before it is accepted, so a workflow is never handed a value it cannot
/// read. Two passes: the type's JSON schema (from <see cref="JsonSchemaExporter"/>) lists every problem with its path,
/// then System.Text.Json itself confirms the value deserializes. A node that does not have the type (it does not host
/// that service) validates against the schema stored with the task.
/// </summary>
internal sealed class PayloadValidator(PayloadCodec codec)
{
    // Formats (date-time, uuid...) are checked, not just annotated: a node validating by schema alone must still refuse
    // what System.Text.Json could not read.
    private static readonly EvaluationOptions EvaluationOptions = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    // Most payloads are valid: the flag format answers valid or not without building a result per keyword (the list format's
    // results were a fifth of a busy node's CPU in completions); the list runs only to explain a refusal.
    private static readonly EvaluationOptions ValidityOnly = new() { OutputFormat = OutputFormat.Flag, RequireFormatValidation = true };
    private readonly ConcurrentDictionary<Type, (string Id, string Text)> _schemasByType = new();
    private readonly ConcurrentDictionary<string, JsonSchema> _parsed = new(StringComparer.Ordinal);

    /// <summary>The schema of <paramref name="type"/> and its content-derived id.</summary>
    public (string Id, string Text) SchemaOf(Type type) => _schemasByType.GetOrAdd(type, t =>
    {
        var node = JsonSchemaExporter.GetJsonSchemaAsNode(codec.Options, t, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        var text = node.ToJsonString();
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
        return (id, text);
    });

    /// <summary>A JSON Schema given as text (checked to be one) and its content-derived id.</summary>
    public (string Id, string Text) SchemaOfText(string text)
    {
        JsonSchema parsed;
        try
        {
            parsed = JsonSchema.FromText(text);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"The data schema is not a valid JSON Schema: {FirstSentence(e.Message)}", e);
        }
        var compact = System.Text.Json.Nodes.JsonNode.Parse(text)!.ToJsonString();
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(compact)))[..32];
        _parsed.TryAdd(id, parsed);
        return (id, compact);
    }

    /// <summary>Every problem found; empty when <paramref name="json"/> is a valid <paramref name="type"/>.</summary>
    public IReadOnlyList<FieldError> Validate(string json, Type? type, string? schemaId = null, string? schemaText = null)
    {
        if (type is null && schemaText is null) return [];
        using var document = ParseOrNull(json, out var parseError);
        if (document is null) return [new FieldError("$", parseError!)];
        var errors = new List<FieldError>();
        var schema = type is not null ? Parse(SchemaOf(type)) : Parse((schemaId ?? "", schemaText!));
        if (!schema.Evaluate(document.RootElement, ValidityOnly).IsValid)
        {
            var results = schema.Evaluate(document.RootElement, EvaluationOptions);
            foreach (var detail in results.Details ?? [])
            {
                if (detail.Errors is null) continue;
                foreach (var error in detail.Errors)
                    errors.Add(new FieldError(ToPath(detail.InstanceLocation.ToString()), error.Value));
            }
            if (errors.Count == 0) errors.Add(new FieldError("$", "The value does not match the declared type."));
        }
        if (errors.Count == 0 && type is not null)
        {
            try
            {
                _ = codec.Deserialize(json, type);
            }
            catch (JsonException e)
            {
                errors.Add(new FieldError(e.Path ?? "$", FirstSentence(e.Message)));
            }
        }
        return errors;
    }

    private JsonSchema Parse((string Id, string Text) schema) =>
        _parsed.GetOrAdd(schema.Id.Length > 0 ? schema.Id : schema.Text, _ => JsonSchema.FromText(schema.Text));

    private static JsonDocument? ParseOrNull(string json, out string? error)
    {
        try
        {
            error = null;
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            error = "Malformed JSON: " + FirstSentence(e.Message);
            return null;
        }
    }

    /// <summary>JSON pointer (<c>/a/0/b</c>) to the JSON path style of System.Text.Json (<c>$.a[0].b</c>).</summary>
    private static string ToPath(string pointer)
    {
        if (pointer.Length == 0 || pointer == "#" || pointer == "/") return "$";
        var builder = new StringBuilder("$");
        foreach (var segment in pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            builder.Append(int.TryParse(name, out _) ? $"[{name}]" : $".{name}");
        }
        return builder.ToString();
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end > 0 ? message[..(end + 1)] : message;
    }
}
