using Baton.Engine.Hosting;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Baton in a Microsoft.Extensions host.</summary>
public static class BatonServiceCollectionExtensions
{
    /// <summary>
    /// Adds a Baton engine that starts and stops with the host, the <see cref="Baton.IBatonClient"/> to talk to it, and the
    /// registered service implementations.
    /// </summary>
    public static IServiceCollection AddBaton(this IServiceCollection services, Action<BatonBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new BatonBuilder(services);
        configure(builder);
        var setup = builder.Build();
        services.AddSingleton(sp => new BatonEngine(setup, sp));
        services.AddSingleton<Baton.IBatonClient>(sp => sp.GetRequiredService<BatonEngine>().Client);
        services.AddHostedService<BatonHostedService>();
        return services;
    }
}

/// <summary>Starts and stops the engine with the host.</summary>
internal sealed class BatonHostedService(BatonEngine engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => engine.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => engine.StopAsync(cancellationToken);
}
