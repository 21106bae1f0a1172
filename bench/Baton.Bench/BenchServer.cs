using System.Security.Cryptography;
using Baton.AspNetCore.Security;
using Baton.Engine;
using Baton.Engine.Hosting;
using Baton.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Baton.Bench;

/// <summary>
/// The real standalone server composition (<see cref="BatonServerApp.Build"/>: REST API, API keys, built-ins) with the
/// bench workflows, on Kestrel at 127.0.0.1 on a free port, over the run's store. Logs go to stderr at Warning and above.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private BenchServer(WebApplication app, Uri baseUrl, string adminKey, ExternalSystem external)
    {
        _app = app;
        BaseUrl = baseUrl;
        AdminKey = adminKey;
        External = external;
        Engine = app.Services.GetRequiredService<BatonEngine>();
    }

    public Uri BaseUrl { get; }

    /// <summary>The admin key of this run (random, never printed).</summary>
    public string AdminKey { get; }

    public ExternalSystem External { get; }

    public BatonEngine Engine { get; }

    public InProcessBatonClient Client => Engine.Client;

    /// <summary>
    /// Starts the server; <paramref name="adminKey"/> defaults to a random key, and <paramref name="mapMore"/> can map more
    /// endpoints before it listens.
    /// </summary>
    public static async Task<BenchServer> StartAsync(string storeKind, string storeTarget, int? pgWriters, string? adminKey = null, Action<WebApplication>? mapMore = null)
    {
        adminKey ??= "bk_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var external = new ExternalSystem();
        List<string> args = ["--urls=http://127.0.0.1:0", $"--Baton:AdminKey={adminKey}", "--Logging:LogLevel:Default=Warning", .. BenchStore.ServerArgs(storeKind, storeTarget, pgWriters)];
        var app = BatonServerApp.Build([.. args],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
                // A provider rule outranks the category rules that the server and the API add for themselves.
                builder.Logging.AddFilter<ConsoleLoggerProvider>(null, LogLevel.Warning);
            },
            baton => BenchHost.Register(baton, external));
        mapMore?.Invoke(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new BenchServer(app, new Uri(address), adminKey, external);
    }

    /// <summary>A new API key with only the completer role.</summary>
    public async Task<string> CreateCompleterKeyAsync() =>
        (await _app.Services.GetRequiredService<ApiKeyStore>().CreateAsync("bench-completer", [BatonRoles.Completer])).Key;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
