using System.Text.Json;
using System.Text.Json.Serialization;

namespace Baton.AspNetCore.Http;

/// <summary>
/// JSON of API responses: Baton's conventions, with absent members left out instead of written as null (a viewer's
/// task has no <c>token</c> member at all). Payloads inside responses are raw JSON and keep their nulls.
/// </summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = BatonJson.Create();
        var copy = new JsonSerializerOptions(options) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        copy.MakeReadOnly(populateMissingResolver: true);
        return copy;
    }
}
