using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Baton.Engine.Tests;

/// <summary>The executor's instruments (<see cref="EngineMetrics"/>): each turn's workflows by source, its claim, step and commit times.</summary>
public sealed class ExecutorMetricsTests
{
    [Fact]
    public async Task Workflow_Listened_EachTurnCountedBySourceAndTimed()
    {
        // Listening before the engine starts, so that no turn began unmeasured; other tests' engines are told apart by node.
        var all = new ConcurrentQueue<(string Instrument, double Value, string? Node, string? Source)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EngineMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? tagNode = null, source = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "baton.node") tagNode = tag.Value as string;
                if (tag.Key == "baton.source") source = tag.Value as string;
            }
            all.Enqueue((instrument.Name, value, tagNode, source));
        }
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Keep(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Keep(i, v, t));
        listener.Start();

        var host = await TestHosts.StartAsync();
        await using (host)
        {
            var started = await host.Client.StartWorkflowAsync<CalculatorWorkflow>(41);
            Assert.Equal(42, await host.Client.GetResultAsync<int>(started.WorkflowId, TimeSpan.FromSeconds(10)));
        }
        // Stopped: the loops have recorded every turn (a waiter may have its result a moment before the commit's time is).

        var measured = all.Where(m => m.Node == host.Engine.NodeId).ToList();
        var turns = measured.Where(m => m.Instrument == EngineMetrics.TurnWorkflows).ToList();
        // The start was handed over; the step after its task completed was claimed from the store (empty claims count 0).
        Assert.Equal(1, turns.Where(t => t.Source == "handoff").Sum(t => t.Value));
        Assert.Equal(1, turns.Where(t => t.Source == "store").Sum(t => t.Value));
        Assert.Equal(turns.Count(t => t.Source == "store"), measured.Count(m => m.Instrument == EngineMetrics.ClaimDuration));
        var stepped = turns.Count(t => t.Value > 0);
        Assert.Equal(stepped, measured.Count(m => m.Instrument == EngineMetrics.StepDuration));
        Assert.Equal(stepped, measured.Count(m => m.Instrument == EngineMetrics.CommitDuration));
        Assert.All(measured.Where(m => m.Instrument != EngineMetrics.TurnWorkflows), m => Assert.InRange(m.Value, 0, 60));
    }
}
