using Baton.Engine;
using Baton.Engine.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Bench;

/// <summary>An engine without a host on the run's store, with the bench workflows and the delegated service.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private BenchHost(BatonEngine engine, ExternalSystem external)
    {
        Engine = engine;
        External = external;
    }

    public BatonEngine Engine { get; }

    public ExternalSystem External { get; }

    public InProcessBatonClient Client => Engine.Client;

    /// <summary>On a SQLite file (synchronous=FULL, the default).</summary>
    public static Task<BenchHost> StartAsync(string databasePath, Action<BatonOptions>? configure = null) =>
        StartAsync("sqlite", databasePath, null, configure);

    public static Task<BenchHost> StartAsync(BenchStore store, Action<BatonOptions>? configure = null) =>
        StartAsync(store.Kind, store.Target, store.PgWriters, configure);

    private static async Task<BenchHost> StartAsync(string kind, string target, int? pgWriters, Action<BatonOptions>? configure)
    {
        var external = new ExternalSystem();
        var engine = BatonEngine.Create(b =>
        {
            BenchStore.Use(b, kind, target, pgWriters);
            Register(b, external);
            if (configure is not null) b.Configure(configure);
            b.Configure(o => EngineSettings.Bind(o));
        });
        await engine.StartAsync();
        return new BenchHost(engine, external);
    }

    /// <summary>
    /// Engine settings in the environment under the server's names (<c>Baton__MaxCachedWorkflows</c>) or any other option of
    /// <see cref="BatonOptions"/> (<c>Baton__ExecutorConcurrency=4</c>, <c>Baton__WorkflowBatchSize=256</c>) reach the
    /// in-process engines, so that one build can be compared with itself under other settings. The server composition of the
    /// http and server-process scenarios reads only the server's own settings.
    /// </summary>
    private static IConfigurationSection EngineSettings { get; } =
        new ConfigurationBuilder().AddEnvironmentVariables().Build().GetSection("Baton");

    /// <summary>The bench workflows and the delegated service, whose handler hands each task to <paramref name="external"/>.</summary>
    public static BatonBuilder Register(BatonBuilder builder, ExternalSystem external)
    {
        builder.Services.AddSingleton(external);
        return builder
            .AddWorkflow<DrtWorkflow>()
            .AddWorkflow<DeadlineWorkflow>()
            .AddWorkflow<LongWorkflow>()
            .AddWorkflow<FanOutWorkflow>()
            .AddService<IDrtService, DrtService>();
    }

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
