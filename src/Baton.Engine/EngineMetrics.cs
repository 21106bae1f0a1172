namespace Baton.Engine;

/// <summary>
/// The names of the engine's instruments (<see cref="System.Diagnostics.Metrics"/>), for <c>dotnet-counters</c>
/// (<c>--counters Baton.Engine</c>) or an OpenTelemetry meter provider (<c>AddMeter(EngineMetrics.MeterName)</c>). They show
/// how the workflow executor's loops spend a turn: taking workflows from the store, stepping them, committing the steps.
/// Every measurement is tagged with the node (<c>baton.node</c>).
/// </summary>
public static class EngineMetrics
{
    /// <summary>The meter every engine records on.</summary>
    public const string MeterName = "Baton.Engine";

    /// <summary>
    /// Histogram, workflows: how many workflows one executor turn stepped, tagged <c>baton.source</c>: <c>store</c> (claimed
    /// from the store; a claim that found none counts 0) or <c>handoff</c> (started on this node and handed over). Turns
    /// that keep taking the whole batch (<c>BatonOptions.WorkflowBatchSize</c>) mean the executor is behind.
    /// </summary>
    public const string TurnWorkflows = "baton.executor.turn.workflows";

    /// <summary>Histogram, seconds: one claim of workflows from the store.</summary>
    public const string ClaimDuration = "baton.executor.claim.duration";

    /// <summary>
    /// Histogram, seconds: stepping one turn's workflows: running workflow code, and for an instance not in the cache reading
    /// its history and replaying it.
    /// </summary>
    public const string StepDuration = "baton.executor.step.duration";

    /// <summary>Histogram, seconds: committing one turn's steps to the store.</summary>
    public const string CommitDuration = "baton.executor.commit.duration";
}
