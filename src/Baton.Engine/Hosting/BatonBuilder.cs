using Baton.Engine.Registry;
using Baton.Engine.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Engine.Hosting;

/// <summary>
/// Collects what an engine runs: its store, workflows, services and options. Registration is explicit: nothing is
/// discovered by convention.
/// </summary>
public sealed class BatonBuilder
{
    private readonly List<WorkflowType> _workflows = [];
    private readonly List<ServiceRegistration> _services = [];
    private readonly List<Action<BatonOptions>> _configure = [];
    private Func<StoreContext, IBatonStore>? _store;
    private TimeProvider? _time;

    internal BatonBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection, for registering what handlers depend on.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses a store; store packages add shortcuts such as <c>UseSqlite</c>.</summary>
    public BatonBuilder UseStore(Func<StoreContext, IBatonStore> factory)
    {
        _store = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Registers a workflow type under its <see cref="WorkflowAttribute"/> name or class name.</summary>
    public BatonBuilder AddWorkflow<TWorkflow>() where TWorkflow : Workflow, new()
    {
        _workflows.Add(WorkflowRegistry.Describe<TWorkflow>());
        return this;
    }

    /// <summary>Runs the handlers of <typeparamref name="TService"/> on this node with <typeparamref name="TImplementation"/> (a new instance per task, from DI).</summary>
    public BatonBuilder AddService<TService, TImplementation>() where TService : class where TImplementation : class, TService
    {
        Services.AddScoped<TService, TImplementation>();
        _services.Add(new ServiceRegistration(typeof(TService), typeof(TImplementation)));
        return this;
    }

    /// <summary>Runs the handlers of <typeparamref name="TService"/> on this node with instances from <paramref name="factory"/>.</summary>
    public BatonBuilder AddService<TService>(Func<IServiceProvider, TService> factory) where TService : class
    {
        Services.AddScoped(factory);
        _services.Add(new ServiceRegistration(typeof(TService), typeof(TService)));
        return this;
    }

    /// <summary>Knows <typeparamref name="TService"/> (to validate completions of its tasks) without running its handlers here.</summary>
    public BatonBuilder AddServiceContract<TService>() where TService : class
    {
        _services.Add(new ServiceRegistration(typeof(TService), null));
        return this;
    }

    /// <summary>Changes options.</summary>
    public BatonBuilder Configure(Action<BatonOptions> configure)
    {
        _configure.Add(configure ?? throw new ArgumentNullException(nameof(configure)));
        return this;
    }

    /// <summary>The clock of the engine (a virtual clock in tests). Default <see cref="TimeProvider.System"/>.</summary>
    public BatonBuilder UseTimeProvider(TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        return this;
    }

    internal BatonSetup Build()
    {
        var options = new BatonOptions();
        foreach (var configure in _configure) configure(options);
        options.Validate();
        if (_store is null) throw new InvalidOperationException("No store configured: call UseSqlite(...) (or another store) on the Baton builder.");
        return new BatonSetup(_store, new WorkflowRegistry(_workflows), new ServiceRegistry(_services), options, _time ?? TimeProvider.System);
    }
}

/// <summary>The immutable result of a <see cref="BatonBuilder"/>.</summary>
internal sealed record BatonSetup(
    Func<StoreContext, IBatonStore> StoreFactory,
    WorkflowRegistry Workflows,
    ServiceRegistry Services,
    BatonOptions Options,
    TimeProvider Time);

/// <summary>What a store factory gets: the app's services, the engine's wake-up signals and its clock.</summary>
public sealed record StoreContext(IServiceProvider Services, StoreSignals Signals, TimeProvider Time);
