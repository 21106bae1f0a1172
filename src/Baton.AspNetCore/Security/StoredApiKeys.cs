using System.Text.Json;

namespace Baton.AspNetCore.Security;

/// <summary>One stored key: its SHA-256 hash (lowercase hex), never the key.</summary>
internal sealed record StoredApiKey(string Id, string Name, IReadOnlyList<string> Roles, string Hash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public ApiKeyInfo Info => new(Id, Name, Roles, CreatedAt, RevokedAt);
}

/// <summary>
/// The stored API-key document (<c>baton.api-keys</c>) as read once: its exact text (what a compare-and-set expects), its keys in
/// order, and those keys indexed by hash for authentication.
/// </summary>
internal sealed class StoredApiKeys
{
    /// <summary>The key-value entry holding the document.</summary>
    public const string StoreKey = "baton.api-keys";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Hash -> principal, or null for a revoked key. A lookup compares SHA-256 digests, not secrets: see ApiKeyStore.AuthenticateAsync.
    private readonly Dictionary<string, BatonPrincipal?> _byHash;

    private StoredApiKeys(string? text, IReadOnlyList<StoredApiKey> keys)
    {
        Text = text;
        Keys = keys;
        _byHash = new Dictionary<string, BatonPrincipal?>(keys.Count, StringComparer.Ordinal);
        foreach (var key in keys)
        {
            // The first key with a hash decides, as the linear scan this replaced did.
            _byHash.TryAdd(key.Hash, key.RevokedAt is null ? new BatonPrincipal(key.Name, key.Roles, key.Id) : null);
        }
    }

    /// <summary>The document's text as stored; null when there is none yet.</summary>
    public string? Text { get; }

    /// <summary>Every stored key, oldest first.</summary>
    public IReadOnlyList<StoredApiKey> Keys { get; }

    /// <summary>Parses the stored text; an unreadable document is an operator's problem, reported without its content.</summary>
    public static StoredApiKeys Parse(string? text)
    {
        if (text is null) return new StoredApiKeys(null, []);
        List<StoredApiKey> keys;
        try
        {
            keys = JsonSerializer.Deserialize<List<StoredApiKey>>(text, Json) ?? [];
        }
        catch (JsonException exception)
        {
            throw Unreadable(exception);
        }
        // Hand-edited documents can lack members the types promise.
        if (keys.Any(k => k is null || k.Id is null || k.Name is null || k.Roles is null || k.Hash is null)) throw Unreadable(null);
        return new StoredApiKeys(text, keys);
    }

    private static InvalidOperationException Unreadable(Exception? inner) =>
        new($"The stored API keys ('{StoreKey}') are unreadable.", inner);

    /// <summary>The document holding <paramref name="keys"/>, as it is to be stored.</summary>
    public static StoredApiKeys Of(IReadOnlyList<StoredApiKey> keys) => new(JsonSerializer.Serialize(keys, Json), keys);

    /// <summary>
    /// Whether a key with this hash is stored; <paramref name="principal"/> is its principal, or null when it is revoked.
    /// </summary>
    public bool TryFind(string hash, out BatonPrincipal? principal) => _byHash.TryGetValue(hash, out principal);
}
