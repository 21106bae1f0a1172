namespace Baton.Client;

/// <summary>Settings of <see cref="BatonHttpClient"/>.</summary>
public sealed class BatonHttpClientOptions
{
    /// <summary>The server's base URL, e.g. <c>http://127.0.0.1:5080</c>. Required.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The API key, sent as <c>Authorization: Bearer</c>. Default none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Attempts of an idempotent call on a transient error (connection failure, 502, 503, 504). Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled each time. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    internal void Validate()
    {
        if (BaseAddress is not { IsAbsoluteUri: true }) throw new ArgumentException("BatonHttpClientOptions.BaseAddress must be an absolute URL.");
        if (MaxAttempts is < 1 or > 10) throw new ArgumentException("BatonHttpClientOptions.MaxAttempts must be between 1 and 10.");
        if (RetryDelay < TimeSpan.Zero) throw new ArgumentException("BatonHttpClientOptions.RetryDelay must not be negative.");
    }
}
