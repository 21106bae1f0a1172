namespace Baton.Engine.Execution;

/// <summary>A replay issued different commands than the workflow's history recorded: the code changed incompatibly.</summary>
public sealed class NonDeterminismException(string workflowId, string message)
    : BatonException(BatonErrorCodes.NonDeterminism, $"Workflow '{workflowId}' is not deterministic: {message}")
{
    /// <summary>The workflow that diverged.</summary>
    public string WorkflowId { get; } = workflowId;
}
