using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Baton.Engine.Hosting;
using Microsoft.Extensions.Options;

namespace Baton.AspNetCore.Security;

/// <summary>An API key as listed: never the key itself, only its SHA-256 hash is stored.</summary>
/// <param name="Id">Key id (safe to show and log).</param>
/// <param name="Name">Principal name the key acts as.</param>
/// <param name="Roles">Its roles: API roles (<see cref="BatonRoles"/>) and roles of people that user tasks are assigned to.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
public sealed record ApiKeyInfo(string Id, string Name, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A freshly created key: the only time the secret is visible.</summary>
/// <param name="Key">The secret to send as <c>Authorization: Bearer</c> or <c>X-Api-Key</c>.</param>
/// <param name="Info">Its listing.</param>
public sealed record CreatedApiKey(string Key, ApiKeyInfo Info);

/// <summary>
/// API keys kept hashed (SHA-256) in the engine store's key-value table, plus keys given in configuration
/// (<see cref="BatonApiOptions.ApiKeys"/>). Every request is checked against the store, so a revocation is effective at once.
/// </summary>
public sealed class ApiKeyStore(BatonEngine engine, IOptions<BatonApiOptions> options)
{
    private const string StoreKey = "baton.api-keys";
    private static readonly JsonSerializerOptions StoredJson = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _write = new(1, 1);

    /// <summary>
    /// Creates a key for <paramref name="name"/> with <paramref name="roles"/>. A key may stand for a person: its name is the
    /// user id user tasks are assigned to, and its roles include theirs (e.g. <c>["manager"]</c>).
    /// </summary>
    public async Task<CreatedApiKey> CreateAsync(string name, IReadOnlyList<string> roles, CancellationToken cancellationToken = default)
    {
        var key = NewKey();
        var info = await AddAsync(name, roles, HashOf(key), null, cancellationToken).ConfigureAwait(false);
        return new CreatedApiKey(key, info);
    }

    /// <summary>Adds a key whose secret is known to the caller; with <paramref name="id"/>, replaces the key of that id.</summary>
    public async Task<ApiKeyInfo> AddAsync(string name, IReadOnlyList<string> roles, string keyHash, string? id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(roles);
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100 || name.Any(char.IsControl))
            throw new BatonException(BatonErrorCodes.InvalidArgument, "A key's principal name is 1 to 100 printable characters.");
        if (roles.Count == 0) throw new BatonException(BatonErrorCodes.InvalidArgument, "A key needs at least one role.");
        if (roles.Count > 50) throw new BatonException(BatonErrorCodes.InvalidArgument, "A key has at most 50 roles.");
        foreach (var role in roles)
        {
            if (role is null || !BatonRoles.IsValidName(role))
                throw new BatonException(BatonErrorCodes.InvalidArgument,
                    $"'{role}' is not a role name: use {string.Join(", ", BatonRoles.All)} for API permissions, or a lowercase name of letters, digits, '.', '_' and '-' (up to 64) for a role user tasks are assigned to.");
        }
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
            var entry = new StoredKey(id ?? "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), name, [.. roles.Distinct()], keyHash,
                engine.Time.GetUtcNow(), null);
            keys.RemoveAll(k => k.Id == entry.Id);
            keys.Add(entry);
            await SaveAsync(keys, cancellationToken).ConfigureAwait(false);
            return entry.Info;
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Every stored key, oldest first.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        [.. (await LoadAsync(cancellationToken).ConfigureAwait(false)).Select(k => k.Info)];

    /// <summary>Revokes a key; its requests are refused from now on. Revoking twice is harmless.</summary>
    public async Task<ApiKeyInfo> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var keys = await LoadAsync(cancellationToken).ConfigureAwait(false);
            var index = keys.FindIndex(k => k.Id == id);
            if (index < 0) throw new BatonException(BatonErrorCodes.ApiKeyNotFound, $"No API key '{id}'.");
            if (keys[index].RevokedAt is null)
            {
                keys[index] = keys[index] with { RevokedAt = engine.Time.GetUtcNow() };
                await SaveAsync(keys, cancellationToken).ConfigureAwait(false);
            }
            return keys[index].Info;
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Whether any key (stored or configured) exists.</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default) =>
        options.Value.ApiKeys.Count > 0 || (await LoadAsync(cancellationToken).ConfigureAwait(false)).Count > 0;

    /// <summary>The principal of a presented key, or null when it is unknown or revoked.</summary>
    public async Task<BatonPrincipal?> AuthenticateAsync(string key, CancellationToken cancellationToken = default)
    {
        var hash = Encoding.ASCII.GetBytes(HashOf(key));
        foreach (var configured in options.Value.ApiKeys)
        {
            if (configured.Hash is { } h && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(h.ToLowerInvariant()), hash))
                return new BatonPrincipal(configured.Name, [.. configured.Roles], "config:" + configured.Name);
        }
        foreach (var stored in await LoadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(stored.Hash), hash))
                return stored.RevokedAt is null ? new BatonPrincipal(stored.Name, stored.Roles, stored.Id) : null;
        }
        return null;
    }

    /// <summary>The SHA-256 hash (lowercase hex) under which a key is stored.</summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key.</summary>
    public static string NewKey() => "bk_" + Base64UrlNoPadding(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlNoPadding(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private async Task<List<StoredKey>> LoadAsync(CancellationToken cancellationToken)
    {
        var text = await engine.Store.GetValueAsync(StoreKey, cancellationToken).ConfigureAwait(false);
        if (text is null) return [];
        try
        {
            return JsonSerializer.Deserialize<List<StoredKey>>(text, StoredJson) ?? [];
        }
        catch (JsonException exception)
        {
            throw new InvalidOperationException($"The stored API keys ('{StoreKey}') are unreadable.", exception);
        }
    }

    private Task SaveAsync(List<StoredKey> keys, CancellationToken cancellationToken) =>
        engine.Store.SetValueAsync(StoreKey, JsonSerializer.Serialize(keys, StoredJson), cancellationToken);

    private sealed record StoredKey(string Id, string Name, IReadOnlyList<string> Roles, string Hash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
    {
        public ApiKeyInfo Info => new(Id, Name, Roles, CreatedAt, RevokedAt);
    }
}
