using System.Security.Cryptography;
using Baton.Engine.Execution;
using Baton.Engine.Serialization;
using Baton.Engine.Storage;
using Baton.Engine.Tasks;
using Baton.Engine.UserTasks;
using Baton.Engine.Timers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Baton.Engine.Hosting;

/// <summary>
/// A running Baton node: the store, the workflow executor loops, the task worker and the timer loop. Hosted apps get
/// it from <c>services.AddBaton(...)</c>; console apps create one with <see cref="Create"/>.
/// </summary>
public sealed partial class BatonEngine : IAsyncDisposable
{
    private const string SigningKeyName = "token-signing-key";
    private readonly BatonSetup _setup;
    private readonly IServiceProvider _provider;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly StoreSignals _signals = new();
    private readonly ServiceProvider? _ownedProvider;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private CancellationTokenSource? _stopping;
    private Task[] _loops = [];
    private InstanceCache? _cache;
    private WorkflowHandoffs? _startedHandoffs;
    private InProcessBatonClient? _client;
    private TaskOperations? _operations;
    private PayloadCodec? _codec;

    internal BatonEngine(BatonSetup setup, IServiceProvider provider, ServiceProvider? ownedProvider = null)
    {
        _setup = setup;
        _provider = provider;
        _ownedProvider = ownedProvider;
        _loggers = provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger("Baton.Engine");
        NodeId = setup.Options.NodeId ?? $"{Environment.MachineName}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        Store = setup.StoreFactory(new StoreContext(provider, _signals, setup.Time));
    }

    /// <summary>This node's identity in leases and audit entries.</summary>
    public string NodeId { get; }

    /// <summary>The engine's store.</summary>
    public IBatonStore Store { get; }

    /// <summary>The engine's clock.</summary>
    public TimeProvider Time => _setup.Time;

    /// <summary>The in-process client (actor <c>client</c>). Available once started.</summary>
    public InProcessBatonClient Client => _client ?? throw new InvalidOperationException("The Baton engine has not been started yet.");

    /// <summary>Task operations with an explicit audit source, for hosts such as the REST API. Available once started.</summary>
    public TaskOperations Tasks => _operations ?? throw new InvalidOperationException("The Baton engine has not been started yet.");

    /// <summary>
    /// The inbox of one person: their user tasks, claims and submissions, under the same rules as the REST API. The audit
    /// trail records <paramref name="source"/> (default: the user id, via <c>client</c>). Available once started.
    /// </summary>
    public InProcessUserTaskClient UserTasks(UserIdentity user, AuditSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (_operations is null || _codec is null) throw new InvalidOperationException("The Baton engine has not been started yet.");
        return new InProcessUserTaskClient(Store, _operations, _codec, Time, user, source ?? new AuditSource(user.UserId, "client"));
    }

    /// <summary>Whether the engine is started.</summary>
    public bool IsRunning => _stopping is not null;

    /// <summary>Creates an engine without a host, for console apps and tests. Dispose it to stop it.</summary>
    public static BatonEngine Create(Action<BatonBuilder> configure, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var services = new ServiceCollection();
        if (loggerFactory is not null) services.AddSingleton(loggerFactory);
        services.AddLogging();
        var builder = new BatonBuilder(services);
        configure(builder);
        var setup = builder.Build();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
        return new BatonEngine(setup, provider, provider);
    }

    /// <summary>Opens the store (applying migrations) and starts the loops.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopping is not null) return;
            await Store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            var options = _setup.Options;
            if (options.NodeId is not null)
            {
                // Started again under a fixed id: nothing of this node runs yet, so whatever it held before is free to run again.
                await Store.ReleaseOwnerClaimsAsync(NodeId, cancellationToken).ConfigureAwait(false);
            }
            var tokens = new TaskTokenService(await SigningKeyAsync(cancellationToken).ConfigureAwait(false), options.PreviousTokenSigningKeys, Time);
            var codec = _codec = new PayloadCodec(BatonJson.Options, options.MaxPayloadBytes);
            var validator = new PayloadValidator(codec);
            var callbacks = new CallbackUrls(options.PublicBaseUrl);
            var recentTasks = new RecentTasks();
            _operations = new TaskOperations(Store, _setup.Services, codec, validator, tokens, Time, _loggers.CreateLogger("Baton.Tasks"), recentTasks);
            var started = _startedHandoffs = new WorkflowHandoffs(_signals, options, NodeId);
            _client = new InProcessBatonClient(Store, _setup.Workflows, codec, validator, _operations, tokens, callbacks, new WorkflowWaiters(_signals), Time,
                new AuditSource("client", "client"), handoffs: started);
            var execution = new ExecutionServices(codec, validator, _setup.Services, _setup.Workflows, at => Guid.CreateVersion7(at).ToString());
            _cache = new InstanceCache(options.MaxCachedWorkflows, options.MaxCachedWorkflowBytes);
            var worker = new TaskWorker(Store, _signals, _setup.Services, _provider, tokens, callbacks, codec, options, Time, NodeId, _loggers.CreateLogger("Baton.Tasks"));
            var handoffs = new TaskHandoffs(worker, recentTasks, options, NodeId);
            var executor = new WorkflowExecutor(Store, _signals, execution, _cache, handoffs, started, new ExecutorMetrics(NodeId), options, Time, NodeId, _loggers.CreateLogger("Baton.Workflows"));
            var timers = new TimerLoop(Store, _signals, options, Time, _loggers.CreateLogger("Baton.Timers"));
            _stopping = new CancellationTokenSource();
            var stop = _stopping.Token;
            _loops =
            [
                .. Enumerable.Range(0, options.ExecutorConcurrency).Select(_ => Task.Run(() => executor.RunAsync(stop), CancellationToken.None)),
                Task.Run(() => worker.RunAsync(stop), CancellationToken.None),
                Task.Run(() => timers.RunAsync(stop), CancellationToken.None),
            ];
            started.Accepting = true;
            LogStarted(NodeId, _setup.Workflows.Names.Count, _setup.Services.HostedServiceNames.Count);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Stops the loops; running handlers are canceled and their tasks run again later.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopping is null) return;
            if (_startedHandoffs is not null) _startedHandoffs.Accepting = false;
            await _stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_loops).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            _stopping.Dispose();
            _stopping = null;
            _cache?.Dispose();
            LogStopped(NodeId);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await Store.DisposeAsync().ConfigureAwait(false);
        if (_ownedProvider is not null) await _ownedProvider.DisposeAsync().ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    private async Task<TokenSigningKey> SigningKeyAsync(CancellationToken cancellationToken)
    {
        var secret = _setup.Options.TokenSigningKey
            ?? await Store.GetOrAddValueAsync(SigningKeyName, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), cancellationToken).ConfigureAwait(false);
        try
        {
            return TokenSigningKey.FromBase64(secret);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"BatonOptions.TokenSigningKey: {e.Message}", e);
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Baton node {NodeId} started with {WorkflowCount} workflow types and {ServiceCount} hosted services")]
    private partial void LogStarted(string nodeId, int workflowCount, int serviceCount);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Baton node {NodeId} stopped")]
    private partial void LogStopped(string nodeId);
}
