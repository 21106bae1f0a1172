namespace Baton;

/// <summary>
/// What a running task handler knows about its task. <see cref="Current"/> is set for the duration of the handler
/// (it flows across awaits) and is <see langword="null"/> anywhere else.
/// </summary>
public sealed class TaskContext
{
    private static readonly AsyncLocal<TaskContext?> Ambient = new();

    /// <summary>Creates a context; the engine does this for every handler run.</summary>
    public TaskContext(string serviceName, string taskId, string token, Uri? callbackUrl, int attempt, string workflowId,
        IReadOnlyDictionary<string, string> meta, IReadOnlyList<string> tags, CancellationToken cancellationToken)
    {
        ServiceName = serviceName;
        TaskId = taskId;
        Token = token;
        CallbackUrl = callbackUrl;
        Attempt = attempt;
        WorkflowId = workflowId;
        Meta = meta;
        Tags = tags;
        CancellationToken = cancellationToken;
    }

    /// <summary>The task being handled on this async flow, or <see langword="null"/> outside a handler.</summary>
    public static TaskContext? Current => Ambient.Value;

    /// <summary>The service name; with <see cref="TaskId"/> it identifies the task for completion.</summary>
    public string ServiceName { get; }

    /// <summary>The task id, stable across retries: a good idempotency key for the outside system.</summary>
    public string TaskId { get; }

    /// <summary>A signed token that alone is enough to complete, fail or report progress on this task.</summary>
    public string Token { get; }

    /// <summary>URL that completes the task when POSTed to (<c>/fail</c> and <c>/progress</c> below it); null unless a public base URL is configured.</summary>
    public Uri? CallbackUrl { get; }

    /// <summary>1 for the first run of the handler, then 2, 3... on retries.</summary>
    public int Attempt { get; }

    /// <summary>The workflow that dispatched the task.</summary>
    public string WorkflowId { get; }

    /// <summary>Key/value metadata given at dispatch.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; }

    /// <summary>Tags given at dispatch, usable to find the task later.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Signaled when the handler's <see cref="TimeoutAttribute"/> expires or the engine shuts down.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Makes <paramref name="context"/> the <see cref="Current"/> one until the result is disposed.</summary>
    internal static IDisposable Enter(TaskContext context)
    {
        var previous = Ambient.Value;
        Ambient.Value = context;
        return new Restore(previous);
    }

    private sealed class Restore(TaskContext? previous) : IDisposable
    {
        public void Dispose() => Ambient.Value = previous;
    }
}
