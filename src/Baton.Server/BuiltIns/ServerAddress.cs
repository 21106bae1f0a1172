using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Baton.Server.BuiltIns;

/// <summary>
/// The base URL under which this server is reachable: the configured public base URL, or else the address Kestrel
/// actually listens on (known only once it started, which matters with port 0).
/// </summary>
public sealed class ServerAddress(IServer server, Uri? configured)
{
    /// <summary>The base URL, without a trailing slash.</summary>
    public string BaseUrl
    {
        get
        {
            if (configured is not null) return configured.AbsoluteUri.TrimEnd('/');
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("The server has no listening address yet.");
            return address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal).TrimEnd('/');
        }
    }

    /// <summary>The callback URL of a task token.</summary>
    public string CallbackUrl(string token) => $"{BaseUrl}/api/callbacks/{token}";
}
