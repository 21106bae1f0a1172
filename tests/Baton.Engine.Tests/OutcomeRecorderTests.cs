using System.Collections.Concurrent;
using System.Reflection;
using Baton.Engine.Storage;
using Baton.Engine.Tasks;
using Microsoft.Extensions.Logging.Abstractions;

namespace Baton.Engine.Tests;

public sealed class OutcomeRecorderTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RecordAsync_OutcomesReadyWhileACallIsInFlight_RecordedTogetherInTheNextCall()
    {
        var store = RecordingStore.Create();
        var recording = (RecordingStore)(object)store;
        recording.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var recorder = new OutcomeRecorder(store, 100, NullLogger.Instance);
        var loops = recorder.RunAsync(stop.Token);

        // The first outcomes occupy both pipelines (their calls wait at the gate); the rest queue up meanwhile.
        var first = await OccupyPipelinesAsync(recorder, recording);
        var rest = Enumerable.Range(OutcomeRecorder.Pipelines, 40).Select(i => recorder.RecordAsync(Outcome(i))).ToList();
        Assert.All(first.Concat(rest), t => Assert.False(t.IsCompleted));
        recording.Gate.SetResult();
        await Task.WhenAll(first.Concat(rest)).WaitAsync(TimeSpan.FromSeconds(10));

        var recorded = recording.Calls.SelectMany(c => c).Select(o => o.TaskId).ToList();
        Assert.Equal(42, recorded.Count);
        Assert.Equal(42, recorded.Distinct().Count());
        Assert.True(recording.Calls.Count <= OutcomeRecorder.Pipelines + 2, $"{recording.Calls.Count} store calls for 42 outcomes");
        await stop.CancelAsync();
        await loops;
    }

    [Fact]
    public async Task RecordAsync_StoreRefusesOneOutcomeOfABatch_OthersRecordedAndTheRefusedOneRetried()
    {
        var store = RecordingStore.Create();
        var recording = (RecordingStore)(object)store;
        recording.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        recording.Poison = "t-5";
        using var stop = new CancellationTokenSource();
        var recorder = new OutcomeRecorder(store, 100, NullLogger.Instance);
        var loops = recorder.RunAsync(stop.Token);

        var first = await OccupyPipelinesAsync(recorder, recording);
        var rest = Enumerable.Range(OutcomeRecorder.Pipelines, 10).ToDictionary(i => "t-" + i, i => recorder.RecordAsync(Outcome(i)));
        recording.Gate.SetResult();

        await Task.WhenAll(first.Concat(rest.Where(r => r.Key != "t-5").Select(r => r.Value))).WaitAsync(TimeSpan.FromSeconds(10));
        await WaitUntilAsync(() => recording.Refusals >= 3); // the batch, then the outcome alone, then its retry
        Assert.False(rest["t-5"].IsCompleted);
        await stop.CancelAsync();
        await loops;
        Assert.True(rest["t-5"].IsCanceled);
    }

    /// <summary>Sends one outcome per pipeline, each once the previous one is in its store call (held at the gate).</summary>
    private static async Task<List<Task>> OccupyPipelinesAsync(OutcomeRecorder recorder, RecordingStore recording)
    {
        var first = new List<Task>();
        for (var i = 0; i < OutcomeRecorder.Pipelines; i++)
        {
            first.Add(recorder.RecordAsync(Outcome(i)));
            var calls = i + 1;
            await WaitUntilAsync(() => recording.Calls.Count == calls);
        }
        return first;
    }

    private static HandlerOutcome Outcome(int i) => new("t-" + i, 1, "node-a", HandlerOutcomeKind.Delegated, At);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }

    /// <summary>A store whose only working member records handler outcomes, waiting at <see cref="Gate"/> and refusing <see cref="Poison"/>.</summary>
    public class RecordingStore : DispatchProxy
    {
        public ConcurrentQueue<IReadOnlyList<HandlerOutcome>> Calls { get; } = new();

        public TaskCompletionSource? Gate { get; set; }

        public string? Poison { get; set; }

        public int Refusals;

        public static IBatonStore Create() => Create<IBatonStore, RecordingStore>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(IBatonStore.RecordHandlerOutcomesAsync)) throw new NotSupportedException(targetMethod?.Name);
            return RecordAsync((IReadOnlyList<HandlerOutcome>)args![0]!);
        }

        private async Task<IReadOnlyList<HandlerOutcomeStatus>> RecordAsync(IReadOnlyList<HandlerOutcome> outcomes)
        {
            Calls.Enqueue(outcomes);
            if (Gate is { } gate) await gate.Task;
            if (outcomes.Any(o => o.TaskId == Poison))
            {
                Interlocked.Increment(ref Refusals);
                throw new InvalidOperationException("refused");
            }
            return [.. outcomes.Select(_ => HandlerOutcomeStatus.Applied)];
        }
    }
}
