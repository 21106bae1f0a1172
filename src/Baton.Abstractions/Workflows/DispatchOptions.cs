namespace Baton;

/// <summary>Per-dispatch settings that override or complement the method's attributes.</summary>
public sealed record DispatchOptions
{
    /// <summary>Overrides <see cref="DelegatedAttribute.CompleteWithin"/>: time from dispatch until the task times out.</summary>
    public TimeSpan? CompleteWithin { get; init; }

    /// <summary>An absolute delegation deadline. When both this and a relative deadline apply, the earlier one wins.</summary>
    public DateTimeOffset? CompleteBy { get; init; }

    /// <summary>Overrides <see cref="DelegatedAttribute.HeartbeatInterval"/>.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>Overrides the method's <see cref="TimeoutAttribute"/>.</summary>
    public TimeSpan? HandlerTimeout { get; init; }

    /// <summary>Overrides the method's or service's <see cref="RetryAttribute"/>.</summary>
    public RetryPolicy? Retry { get; init; }

    /// <summary>Tags to find the task by later.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>Key/value metadata handed to the handler in <see cref="TaskContext.Meta"/>.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
}

/// <summary>Settings for a child workflow.</summary>
public sealed record ChildWorkflowOptions
{
    /// <summary>The child's id. Default: the parent's id followed by <c>/</c> and the dispatch number, stable across replays.</summary>
    public string? Id { get; init; }

    /// <summary>Tags of the child.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
}
