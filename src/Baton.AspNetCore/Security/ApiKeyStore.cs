using System.Security.Cryptography;
using System.Text;
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
/// (<see cref="BatonApiOptions.ApiKeys"/>). Authentication uses this node's in-memory copy of the stored keys, indexed by hash:
/// <list type="bullet">
/// <item>a key created or revoked through this node is in effect on this node at once;</item>
/// <item>one revoked through another node sharing the store stops working here within
/// <see cref="BatonApiOptions.ApiKeyCacheDuration"/> (the copy's maximum age);</item>
/// <item>one created through another node works here on its first use, because an unknown key makes this node read the keys
/// again, except when it read them less than a second (or the cache duration, when shorter) ago; then it works at the latest
/// after that interval.</item>
/// </list>
/// Edits from several nodes at once are all kept: each is a compare-and-set of the whole document, retried on conflict.
/// </summary>
public sealed class ApiKeyStore
{
    // Every conflict means another edit was stored, so progress is certain; the bound only turns a pathological edit storm into an error.
    private const int MaxEditAttempts = 100;

    private readonly BatonEngine _engine;
    private readonly ApiKeyCache _cache;
    private readonly Dictionary<string, BatonPrincipal> _configured = new(StringComparer.Ordinal);
    private readonly bool _anyConfigured;

    // Serialises this node's edits, so the copies they leave in the cache replace each other in the order they were stored.
    private readonly SemaphoreSlim _write = new(1, 1);

    /// <summary>Keys of <paramref name="engine"/>'s store and of <paramref name="options"/>.</summary>
    public ApiKeyStore(BatonEngine engine, IOptions<BatonApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        _engine = engine;
        var settings = options.Value;
        foreach (var configured in settings.ApiKeys)
        {
            if (configured.Hash is { } hash)
                _configured.TryAdd(hash.ToLowerInvariant(), new BatonPrincipal(configured.Name, [.. configured.Roles], "config:" + configured.Name));
        }
        _anyConfigured = settings.ApiKeys.Count > 0;
        var duration = settings.ApiKeyCacheDuration;
        _cache = new ApiKeyCache(ReadAsync, engine.Time, duration, duration < UnknownKeyInterval ? duration : UnknownKeyInterval);
    }

    /// <summary>How often at most an unknown key makes a node read the stored keys again (or the cache duration, when shorter).</summary>
    public static TimeSpan UnknownKeyInterval { get; } = TimeSpan.FromSeconds(1);

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
        ArgumentNullException.ThrowIfNull(keyHash);
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
        var entry = new StoredApiKey(id ?? "k" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)), name, [.. roles.Distinct()], keyHash,
            _engine.Time.GetUtcNow(), null);
        await EditAsync(
            keys => [.. keys.Where(k => k.Id != entry.Id), entry],
            cancellationToken).ConfigureAwait(false);
        return entry.Info;
    }

    /// <summary>Every stored key, oldest first, as stored now (not this node's copy).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default) =>
        [.. (await ReadAsync(cancellationToken).ConfigureAwait(false)).Keys.Select(k => k.Info)];

    /// <summary>
    /// Revokes a key; its requests are refused from now on by this node, and by other nodes sharing the store within
    /// <see cref="BatonApiOptions.ApiKeyCacheDuration"/>. Revoking twice is harmless.
    /// </summary>
    public async Task<ApiKeyInfo> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        StoredApiKey? revoked = null;
        await EditAsync(
            keys =>
            {
                var index = keys.ToList().FindIndex(k => k.Id == id);
                if (index < 0) throw new BatonException(BatonErrorCodes.ApiKeyNotFound, $"No API key '{id}'.");
                revoked = keys[index];
                if (revoked.RevokedAt is not null) return null;
                revoked = revoked with { RevokedAt = _engine.Time.GetUtcNow() };
                return [.. keys.Take(index), revoked, .. keys.Skip(index + 1)];
            },
            cancellationToken).ConfigureAwait(false);
        return revoked!.Info;
    }

    /// <summary>Whether any key (stored or configured) exists.</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default) =>
        _anyConfigured || (await ReadAsync(cancellationToken).ConfigureAwait(false)).Keys.Count > 0;

    /// <summary>
    /// The principal of a presented key, or null when it is unknown or revoked. A known key costs a SHA-256 and a dictionary
    /// lookup, no store read (see the class summary for how fresh this node's copy is).
    /// </summary>
    /// <remarks>
    /// The lookup is by the presented key's SHA-256 digest, and comparing digests in variable time leaks nothing useful: an
    /// attacker can learn at most how many leading characters of the digest of a key they chose match a stored digest, and
    /// steering a digest towards a stored one, character by character, would take SHA-256 preimages. The key itself is never
    /// compared.
    /// </remarks>
    public async Task<BatonPrincipal?> AuthenticateAsync(string key, CancellationToken cancellationToken = default)
    {
        var hash = HashOf(key);
        if (_configured.TryGetValue(hash, out var configured)) return configured;
        var keys = await _cache.CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (keys.TryFind(hash, out var principal)) return principal;
        var reread = await _cache.ReloadForUnknownKeyAsync(cancellationToken).ConfigureAwait(false);
        return reread is not null && reread.TryFind(hash, out principal) ? principal : null;
    }

    /// <summary>The SHA-256 hash (lowercase hex) under which a key is stored.</summary>
    public static string HashOf(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key.</summary>
    public static string NewKey() => "bk_" + Base64UrlNoPadding(RandomNumberGenerator.GetBytes(32));

    private static string Base64UrlNoPadding(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    private async Task<StoredApiKeys> ReadAsync(CancellationToken cancellationToken) =>
        StoredApiKeys.Parse(await _engine.Store.GetValueAsync(StoredApiKeys.StoreKey, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Read, change, compare-and-set, and again on a conflict with another node's edit; <paramref name="change"/> returns the
    /// new key list, or null to store nothing. An unreadable document is never overwritten.
    /// </summary>
    private async Task EditAsync(Func<IReadOnlyList<StoredApiKey>, IReadOnlyList<StoredApiKey>?> change, CancellationToken cancellationToken)
    {
        await _write.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; attempt <= MaxEditAttempts; attempt++)
            {
                var current = await ReadAsync(cancellationToken).ConfigureAwait(false);
                if (change(current.Keys) is not { } keys) return;
                var next = StoredApiKeys.Of(keys);
                var before = _engine.Time.GetTimestamp();
                if (await _engine.Store.CompareAndSetValueAsync(StoredApiKeys.StoreKey, current.Text, next.Text!, cancellationToken).ConfigureAwait(false))
                {
                    _cache.Replace(next, before);
                    return;
                }
            }
            throw new InvalidOperationException($"The stored API keys changed under every one of {MaxEditAttempts} attempts to edit them.");
        }
        finally
        {
            _write.Release();
        }
    }
}
