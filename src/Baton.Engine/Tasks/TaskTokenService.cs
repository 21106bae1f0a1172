using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Baton.Engine.Tasks;

/// <summary>A key that signs task tokens. Keys past <see cref="AcceptUntil"/> no longer verify (stale tokens).</summary>
/// <param name="Id">Short key id, carried in the token so verification finds the key.</param>
/// <param name="Secret">At least 32 random bytes.</param>
/// <param name="AcceptUntil">When set, tokens signed with this key are refused after this time (a rotated-out key's grace period).</param>
public sealed record TokenSigningKey(string Id, byte[] Secret, DateTimeOffset? AcceptUntil = null)
{
    /// <summary>A key from its base64 secret (at least 32 bytes); its id is derived from the secret, so every node agrees on it.</summary>
    public static TokenSigningKey FromBase64(string secret, DateTimeOffset? acceptUntil = null)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(secret ?? "");
        }
        catch (FormatException)
        {
            throw new ArgumentException("A token signing key must be base64 of at least 32 bytes.", nameof(secret));
        }
        if (bytes.Length < 32) throw new ArgumentException("A token signing key must be base64 of at least 32 bytes.", nameof(secret));
        return new TokenSigningKey(Convert.ToHexStringLower(SHA256.HashData(bytes))[..8], bytes, acceptUntil);
    }
}

/// <summary>
/// Issues and verifies task tokens: <c>bt1.&lt;keyId&gt;.&lt;taskId base64url&gt;.&lt;HMAC-SHA256 base64url&gt;</c>.
/// A token names exactly one task, stays valid across the task's retries, and cannot be forged without the key.
/// </summary>
internal sealed class TaskTokenService
{
    private const string Prefix = "bt1";
    private readonly TokenSigningKey _current;
    private readonly Dictionary<string, TokenSigningKey> _keys;
    private readonly TimeProvider _time;

    public TaskTokenService(TokenSigningKey current, IEnumerable<TokenSigningKey> previous, TimeProvider time)
    {
        if (current.Secret.Length < 32) throw new ArgumentException("A token signing key needs at least 32 bytes.");
        if (current.Id.Contains('.', StringComparison.Ordinal)) throw new ArgumentException("A key id cannot contain '.'.");
        _current = current;
        _keys = previous.Append(current).ToDictionary(k => k.Id, StringComparer.Ordinal);
        _time = time;
    }

    public string Issue(string taskId)
    {
        var encodedId = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(taskId));
        return $"{Prefix}.{_current.Id}.{encodedId}.{Sign(_current, encodedId)}";
    }

    /// <summary>The task id a token names; throws <see cref="InvalidTaskTokenException"/> for anything else.</summary>
    public string Verify(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 4 || parts[0] != Prefix)
            throw new InvalidTaskTokenException(BatonErrorCodes.TokenInvalid, "The task token is malformed.");
        if (!_keys.TryGetValue(parts[1], out var key))
            throw new InvalidTaskTokenException(BatonErrorCodes.TokenInvalid, "The task token was not signed by this Baton.");
        var expected = Encoding.ASCII.GetBytes(Sign(key, parts[2]));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[3])))
            throw new InvalidTaskTokenException(BatonErrorCodes.TokenInvalid, "The task token's signature does not match.");
        if (key.AcceptUntil is { } until && _time.GetUtcNow() > until)
            throw new InvalidTaskTokenException(BatonErrorCodes.TokenExpired, "The task token was signed with a retired key; ask for a fresh token.");
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[2]));
        }
        catch (FormatException)
        {
            throw new InvalidTaskTokenException(BatonErrorCodes.TokenInvalid, "The task token is malformed.");
        }
    }

    private static string Sign(TokenSigningKey key, string encodedTaskId)
    {
        var mac = HMACSHA256.HashData(key.Secret, Encoding.ASCII.GetBytes($"{Prefix}.{key.Id}.{encodedTaskId}"));
        return Base64Url.EncodeToString(mac);
    }
}
