using Baton.Engine;
using Baton.Engine.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Bench;

/// <summary>An engine on a SQLite file (synchronous=FULL, the default) with the bench workflows and the delegated service.</summary>
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

    public static async Task<BenchHost> StartAsync(string databasePath, Action<BatonOptions>? configure = null)
    {
        var external = new ExternalSystem();
        var engine = BatonEngine.Create(b =>
        {
            b.Services.AddSingleton(external);
            b.UseSqlite($"Data Source={databasePath}")
                .AddWorkflow<DrtWorkflow>()
                .AddWorkflow<DeadlineWorkflow>()
                .AddWorkflow<LongWorkflow>()
                .AddWorkflow<FanOutWorkflow>()
                .AddService<IDrtService, DrtService>();
            if (configure is not null) b.Configure(configure);
        });
        await engine.StartAsync();
        return new BenchHost(engine, external);
    }

    public ValueTask DisposeAsync() => Engine.DisposeAsync();
}
