using Baton.Engine.Tasks;

namespace Baton.Engine.Hosting;

/// <summary>Engine settings. Every default is documented and every value is validated when the engine starts.</summary>
public sealed class BatonOptions
{
    /// <summary>Largest accepted payload (input, result, arguments, error details), in UTF-8 bytes. Default 1 MiB.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>Workflow instances claimed and stepped per batch by one executor loop. Default 128.</summary>
    public int WorkflowBatchSize { get; set; } = 128;

    /// <summary>Executor loops running side by side. Default: the processor count, at least 2.</summary>
    public int ExecutorConcurrency { get; set; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>Task handlers running at once on this node. Default 256 (handlers of delegated tasks are short and mostly I/O).</summary>
    public int MaxConcurrentHandlers { get; set; } = 256;

    /// <summary>
    /// Workflow instances kept in memory between steps on this node, so that a step does not replay the workflow's history.
    /// Default 10,000. An instance holds its workflow's state (an awaiter per pending task, for one), so a node running a few
    /// very wide workflows may want fewer; 0 keeps none and replays every step from history.
    /// </summary>
    public int MaxCachedWorkflows { get; set; } = 10_000;

    /// <summary>
    /// The memory the cached workflow instances may hold, estimated from the payloads each has read and written (two bytes per
    /// character, plus about 2 KB each). Default 256 MiB. Instances past it are not kept, so a node whose workflows carry
    /// large inputs, results or histories keeps fewer of them rather than running out of memory; one larger than the whole
    /// budget replays its history at every step. At least 1 MiB.
    /// </summary>
    public long MaxCachedWorkflowBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long a claim on a workflow instance holds before another node may take it over. Default one minute.</summary>
    public TimeSpan WorkflowLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a claim on a running task holds without renewal; renewed every third of it while the handler runs. Default two minutes.</summary>
    public TimeSpan TaskLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Safety-net poll of idle loops, in real time; wake-ups normally come from the store at once. Default two seconds.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Timers handled per store round trip. Default 10,000: a storm of due timers is fired in one write rather than
    /// in many small ones that each queue behind the workflow steps the previous ones caused.
    /// </summary>
    public int TimerBatchSize { get; set; } = 10_000;

    /// <summary>Base URL under which the REST API is reachable from outside; enables <see cref="TaskContext.CallbackUrl"/>. Default none.</summary>
    public Uri? PublicBaseUrl { get; set; }

    /// <summary>Base64 of at least 32 bytes that signs task tokens. Default: generated once and kept in the store.</summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>Earlier signing keys still accepted (rotation), each with the time until which its tokens remain valid.</summary>
    public IList<TokenSigningKey> PreviousTokenSigningKeys { get; } = [];

    /// <summary>Node identity in leases and audit entries. Default: host name plus a random suffix per start.</summary>
    public string? NodeId { get; set; }

    internal void Validate()
    {
        Require(MaxPayloadBytes >= 1024, nameof(MaxPayloadBytes), "must be at least 1024");
        Require(WorkflowBatchSize is >= 1 and <= 10_000, nameof(WorkflowBatchSize), "must be between 1 and 10000");
        Require(ExecutorConcurrency is >= 1 and <= 64, nameof(ExecutorConcurrency), "must be between 1 and 64");
        Require(MaxConcurrentHandlers is >= 1 and <= 100_000, nameof(MaxConcurrentHandlers), "must be between 1 and 100000");
        Require(MaxCachedWorkflows is >= 0 and <= 1_000_000, nameof(MaxCachedWorkflows), "must be between 0 and 1000000");
        Require(MaxCachedWorkflowBytes >= 1024 * 1024, nameof(MaxCachedWorkflowBytes), "must be at least 1048576 (1 MiB)");
        Require(WorkflowLease >= TimeSpan.FromSeconds(1), nameof(WorkflowLease), "must be at least one second");
        Require(TaskLease >= TimeSpan.FromSeconds(3), nameof(TaskLease), "must be at least three seconds");
        Require(IdlePollInterval > TimeSpan.Zero, nameof(IdlePollInterval), "must be positive");
        Require(TimerBatchSize >= 1, nameof(TimerBatchSize), "must be at least 1");
        Require(PublicBaseUrl is null || PublicBaseUrl.IsAbsoluteUri, nameof(PublicBaseUrl), "must be an absolute URL");
    }

    private static void Require(bool condition, string name, string rule)
    {
        if (!condition) throw new ArgumentException($"BatonOptions.{name} {rule}.", name);
    }
}
