using System.Text.Json;

namespace Baton.Client;

/// <summary>
/// Reading the server's answers: <see cref="BatonJson.Options"/> omits null members when writing, so records whose
/// positional parameters are nullable must not be read with <c>RespectRequiredConstructorParameters</c>.
/// </summary>
internal static class ClientJson
{
    public static JsonSerializerOptions Read { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(BatonJson.Options) { RespectRequiredConstructorParameters = false };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
