namespace Baton;

/// <summary>Where a workflow instance is in its life.</summary>
public enum WorkflowState
{
    /// <summary>Started and not finished.</summary>
    Running,

    /// <summary>Returned a result.</summary>
    Completed,

    /// <summary>Threw, or was failed by the engine (for example on non-determinism).</summary>
    Failed,

    /// <summary>Canceled from outside; its open tasks were canceled with it.</summary>
    Canceled,
}
