using Microsoft.Extensions.Configuration.Memory;
using Baton.AspNetCore.Security;
using Baton.Engine.Hosting;
using Baton.Engine.Tasks;
using Baton.Server.BuiltIns;
using Microsoft.AspNetCore.Hosting.Server;
using Scalar.AspNetCore;

namespace Baton.Server;

/// <summary>
/// Composes the standalone server: its store (see <see cref="ConfiguredStore"/>; by default SQLite in <c>baton.db</c> in
/// the working directory), REST API, <c>/healthz</c>, OpenAPI document and Scalar docs, the built-in workflows, and the
/// admin key bootstrap. Listens on <c>http://127.0.0.1:5080</c> unless <c>urls</c> says otherwise.
/// </summary>
public static class BatonServerApp
{
    /// <summary>The default listening URL.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Settings that come before the caller's arguments, so that an argument can override them. Configuration files are
    /// read once at start and not watched: ASP.NET Core watches the content root recursively, and with the database in it
    /// (the default <c>baton.db</c> in the current directory) every commit woke the watcher — 5–8% of a core at 2,000
    /// workflows/s. <c>--hostBuilder:reloadConfigOnChange=true</c> turns watching back on.
    /// </summary>
    private static readonly string[] DefaultArgs = ["--hostBuilder:reloadConfigOnChange=false"];

    /// <summary>
    /// Builds the server app; <paramref name="customize"/> can change the builder (tests add loggers or settings) and
    /// <paramref name="configureBaton"/> can register more workflows and services beside the built-ins.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null, Action<BatonBuilder>? configureBaton = null)
    {
        var builder = WebApplication.CreateBuilder([.. DefaultArgs, .. args]);
        // Lowest-priority defaults: ASP.NET Core's per-request chatter stays at Warning unless configuration says otherwise.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" },
        });
        customize?.Invoke(builder);
        var config = builder.Configuration;
        var url = config["urls"] is { Length: > 0 } urls ? urls.Split(';')[0] : DefaultUrl;
        builder.WebHost.UseUrls(url);
        var publicBase = config["Baton:PublicBaseUrl"] is { Length: > 0 } configured ? new Uri(configured) : ListeningBase(url);

        var cachedWorkflows = MaxCachedWorkflows(config);
        var cachedBytes = MaxCachedWorkflowBytes(config);
        builder.Services.AddHttpClient(HttpCallService.ClientName);
        builder.Services.AddSingleton(sp => new ServerAddress(sp.GetRequiredService<IServer>(), publicBase));
        builder.Services.AddBaton(b => (configureBaton is null ? b : Extend(b, configureBaton))
            .UseConfiguredStore(config)
            .Configure(o =>
            {
                o.PublicBaseUrl = publicBase;
                ConfigureTokenKeys(o, config);
                if (cachedWorkflows is { } cached) o.MaxCachedWorkflows = cached;
                if (cachedBytes is { } bytes) o.MaxCachedWorkflowBytes = bytes;
            })
            .AddWorkflow<HttpCallWorkflow>()
            .AddService<IHttpCallService, HttpCallService>()
            .AddWorkflow<DelegateWorkflow>()
            .AddWorkflow<UserTaskWorkflow>()
            .AddService<IDelegateService, DelegateService>());
        var keyCacheDuration = ApiKeyCacheDuration(config);
        builder.Services.AddBatonApi(o =>
        {
            if (keyCacheDuration is { } duration) o.ApiKeyCacheDuration = duration;
        });
        builder.Services.AddSingleton(new ListeningUrl(url));
        builder.Services.AddHostedService<AdminKeyBootstrap>();
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.MapGet("/healthz", (BatonEngine engine) => engine.IsRunning ? Results.Ok(new { status = "ok" }) : Results.StatusCode(503))
            .ExcludeFromDescription();
        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapBaton();
        return app;
    }

    /// <summary>
    /// <c>Baton:TokenSigningKey</c> (base64, 32+ bytes) signs task tokens; each <c>Baton:PreviousTokenSigningKeys:N</c>
    /// (<c>Key</c>, <c>AcceptUntil</c>) keeps tokens of a rotated-out key valid until then. Without a key, one is generated
    /// once and kept in the store.
    /// </summary>
    private static void ConfigureTokenKeys(BatonOptions options, IConfiguration config)
    {
        if (config["Baton:TokenSigningKey"] is { Length: > 0 } current) options.TokenSigningKey = current;
        foreach (var previous in config.GetSection("Baton:PreviousTokenSigningKeys").GetChildren())
        {
            var until = previous["AcceptUntil"] is { Length: > 0 } text
                ? DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"Baton:PreviousTokenSigningKeys:{previous.Key}:AcceptUntil is required: the end of the old key's grace period.");
            options.PreviousTokenSigningKeys.Add(TokenSigningKey.FromBase64(previous["Key"] ?? "", until));
        }
    }

    /// <summary><c>Baton:MaxCachedWorkflows</c> as a count (checked against its range when the engine starts), or null when it is not set.</summary>
    private static int? MaxCachedWorkflows(IConfiguration config) =>
        WholeNumber(config, "Baton:MaxCachedWorkflows", "workflow instances, e.g. 10000") is { } count ? (int)Math.Min(count, int.MaxValue) : null;

    /// <summary><c>Baton:MaxCachedWorkflowBytes</c> in bytes (checked against its range when the engine starts), or null when it is not set.</summary>
    private static long? MaxCachedWorkflowBytes(IConfiguration config) =>
        WholeNumber(config, "Baton:MaxCachedWorkflowBytes", "bytes, e.g. 268435456");

    private static long? WholeNumber(IConfiguration config, string key, string unit) =>
        config[key] is not { Length: > 0 } text ? null
        : long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number
        : throw new InvalidOperationException($"{key} '{text}' is not a whole number of {unit}.");

    /// <summary><c>Baton:ApiKeyCacheDuration</c> as a TimeSpan (<c>hh:mm:ss[.fff]</c>), or null when it is not set.</summary>
    private static TimeSpan? ApiKeyCacheDuration(IConfiguration config) =>
        config["Baton:ApiKeyCacheDuration"] is not { Length: > 0 } text ? null
        : TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var duration) ? duration
        : throw new InvalidOperationException($"Baton:ApiKeyCacheDuration '{text}' is not a duration: write it as hh:mm:ss, e.g. 00:00:05.");

    private static BatonBuilder Extend(BatonBuilder builder, Action<BatonBuilder> configure)
    {
        configure(builder);
        return builder;
    }

    /// <summary>The listening URL as a public base, when it names a concrete host and port.</summary>
    private static Uri? ListeningBase(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Port != 0 && uri.Host is not ("+" or "*" or "0.0.0.0" or "[::]") ? uri : null;
}

/// <summary>
/// On start: <c>Baton:AdminKey</c> (or <c>BATON_ADMIN_KEY</c>) sets the admin key; otherwise, when no key exists at
/// all, a key is generated and printed once. Only hashes are stored.
/// </summary>
internal sealed class AdminKeyBootstrap(ApiKeyStore keys, IConfiguration config, ListeningUrl listening) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var given = config["Baton:AdminKey"] is { Length: > 0 } k ? k : Environment.GetEnvironmentVariable("BATON_ADMIN_KEY");
        if (!string.IsNullOrWhiteSpace(given))
        {
            await keys.AddAsync("admin", [BatonRoles.Admin], ApiKeyStore.HashOf(given.Trim()), "admin", cancellationToken).ConfigureAwait(false);
            return;
        }
        if (await keys.AnyAsync(cancellationToken).ConfigureAwait(false)) return;
        if (!listening.IsLoopback)
            throw new InvalidOperationException(
                $"Baton has no API key yet and would listen on {listening.Url}. Until a key exists it only listens on loopback: " +
                "start it once on 127.0.0.1 to get a generated admin key, or set BATON_ADMIN_KEY (Baton__AdminKey).");
        var key = ApiKeyStore.NewKey();
        await keys.AddAsync("admin", [BatonRoles.Admin], ApiKeyStore.HashOf(key), "admin", cancellationToken).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"""

            Baton generated an admin API key. It is shown only this once and only its hash is stored:

                {key}

            Send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'. Set BATON_ADMIN_KEY to choose your own.

            """).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>The URL the server listens on, and whether it is reachable only from this machine.</summary>
internal sealed record ListeningUrl(string Url)
{
    public bool IsLoopback =>
        Uri.TryCreate(Url.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && (uri.IsLoopback || System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
