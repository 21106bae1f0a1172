using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Baton.Engine.Execution;

/// <summary>Records one node's executor loops on the instruments named in <see cref="EngineMetrics"/>.</summary>
internal sealed class ExecutorMetrics
{
    private static readonly Meter Meter = new(EngineMetrics.MeterName, typeof(ExecutorMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<int> TurnWorkflows = Meter.CreateHistogram<int>(
        EngineMetrics.TurnWorkflows, "{workflow}", "Workflows one executor turn stepped.");

    private static readonly Histogram<double> ClaimDuration = Meter.CreateHistogram<double>(
        EngineMetrics.ClaimDuration, "s", "Time one claim of workflows from the store took.");

    private static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        EngineMetrics.StepDuration, "s", "Time stepping one turn's workflows took.");

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        EngineMetrics.CommitDuration, "s", "Time committing one turn's steps took.");

    private readonly TagList _fromStore;
    private readonly TagList _handedOver;
    private readonly TagList _node;

    public ExecutorMetrics(string nodeId)
    {
        _node = new TagList { { "baton.node", nodeId } };
        _fromStore = new TagList { { "baton.node", nodeId }, { "baton.source", "store" } };
        _handedOver = new TagList { { "baton.node", nodeId }, { "baton.source", "handoff" } };
    }

    /// <summary>A timestamp while the executor's times are measured, else 0.</summary>
    public static long Stamp() => ClaimDuration.Enabled || StepDuration.Enabled || CommitDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    public void Claimed(int workflows, long started)
    {
        TurnWorkflows.Record(workflows, _fromStore);
        if (started != 0) ClaimDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _node);
    }

    public void HandedOver(int workflows) => TurnWorkflows.Record(workflows, _handedOver);

    public void Stepped(long started)
    {
        if (started != 0) StepDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _node);
    }

    public void Committed(long started)
    {
        if (started != 0) CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _node);
    }
}
