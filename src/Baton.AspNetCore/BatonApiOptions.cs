namespace Baton.AspNetCore;

/// <summary>Settings of the Baton REST API. Defaults are documented and validated when the API is mapped.</summary>
public sealed class BatonApiOptions
{
    /// <summary>Largest accepted request body in bytes, enforced before and while reading. Default 1 MiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Longest accepted <c>wait</c> of <c>GET /api/workflows/{id}/result</c>. Default five minutes.</summary>
    public TimeSpan MaxResultWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>API keys given in configuration (by hash) in addition to those kept in the store. Default none.</summary>
    public IList<ConfiguredApiKey> ApiKeys { get; } = [];

    /// <summary>
    /// How long a node authenticates with its in-memory copy of the API keys kept in the store before it reads them again.
    /// Keys created or revoked through a node take effect on that node at once; this is the longest a key revoked through
    /// another node sharing the store keeps working on this one (a key created elsewhere works on its first use, or within
    /// a second). Between 1 millisecond and 10 minutes; default five seconds. The server reads it from
    /// <c>Baton:ApiKeyCacheDuration</c> (e.g. <c>00:00:05</c>).
    /// </summary>
    public TimeSpan ApiKeyCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    internal void Validate()
    {
        if (ApiKeyCacheDuration < TimeSpan.FromMilliseconds(1) || ApiKeyCacheDuration > TimeSpan.FromMinutes(10))
            throw new ArgumentException(
                $"BatonApiOptions.ApiKeyCacheDuration must be between 1 millisecond and 10 minutes (it bounds how long a key revoked on another node keeps working here); it is {ApiKeyCacheDuration}.");
        if (MaxRequestBodyBytes < 1024) throw new ArgumentException("BatonApiOptions.MaxRequestBodyBytes must be at least 1024.");
        if (MaxResultWait < TimeSpan.Zero || MaxResultWait > TimeSpan.FromHours(1))
            throw new ArgumentException("BatonApiOptions.MaxResultWait must be between 0 and one hour.");
        foreach (var key in ApiKeys)
        {
            if (string.IsNullOrWhiteSpace(key.Name) || key.Hash is not { Length: 64 } || key.Roles.Count == 0 || key.Roles.Any(r => !Security.BatonRoles.IsValidName(r)))
                throw new ArgumentException($"BatonApiOptions.ApiKeys: key '{key.Name}' needs a name, a 64-character SHA-256 hex hash and valid role names.");
        }
    }
}

/// <summary>An API key given in configuration: only its SHA-256 hash (lowercase or uppercase hex).</summary>
public sealed class ConfiguredApiKey
{
    /// <summary>Principal name.</summary>
    public string Name { get; set; } = "";

    /// <summary>SHA-256 of the key, hex.</summary>
    public string? Hash { get; set; }

    /// <summary>Roles: API roles (see <see cref="Security.BatonRoles"/>) and roles user tasks are assigned to.</summary>
    public IList<string> Roles { get; } = [];
}
