using System.Threading.Channels;

namespace Baton.Bench;

/// <summary>Input of a DRT workflow: its sequence number, echoed back by the completer.</summary>
public sealed record DrtInput(int N, DateTimeOffset? CompleteBy = null);

/// <summary>What the "external system" answers.</summary>
public sealed record DrtResult(bool Approved, int N);

/// <summary>The delegated service of every scenario.</summary>
[Service("Service")]
public interface IDrtService
{
    [Delegated(CompleteWithin = "1.00:00:00")]
    Task<DrtResult> RequestAsync(int n);
}

/// <summary>One request handed to the external system.</summary>
public readonly record struct ExternalRequest(string TaskId, int N);

/// <summary>The external system: an in-memory queue, read by the completer loop.</summary>
public sealed class ExternalSystem
{
    private readonly Channel<ExternalRequest> _queue = Channel.CreateUnbounded<ExternalRequest>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<ExternalRequest> Requests => _queue.Reader;

    public void Submit(ExternalRequest request) => _queue.Writer.TryWrite(request);
}

/// <summary>The handler: hands the task id to the external system and returns; the task stays Delegated.</summary>
public sealed class DrtService(ExternalSystem external) : IDrtService
{
    public Task<DrtResult> RequestAsync(int n)
    {
        external.Submit(new ExternalRequest(TaskContext.Current!.TaskId, n));
        return Task.FromResult<DrtResult>(null!);
    }
}

/// <summary>DRT: one delegated task, returned as the workflow's result.</summary>
public sealed class DrtWorkflow : Workflow<DrtInput, DrtResult>
{
    protected override async Task<DrtResult> RunAsync(DrtInput input) =>
        await Dispatch((IDrtService s) => s.RequestAsync(input.N));
}

/// <summary>Timer storm: one delegated task with an absolute deadline nobody meets.</summary>
public sealed class DeadlineWorkflow : Workflow<DrtInput, string>
{
    protected override async Task<string> RunAsync(DrtInput input)
    {
        try
        {
            await Dispatch((IDrtService s) => s.RequestAsync(input.N), new DispatchOptions { CompleteBy = input.CompleteBy });
            return "completed";
        }
        catch (TaskTimedOutException)
        {
            return "timed out";
        }
    }
}

/// <summary>Long history: N sequential delegated tasks in one instance.</summary>
public sealed class LongWorkflow : Workflow<DrtInput, int>
{
    protected override async Task<int> RunAsync(DrtInput input)
    {
        var sum = 0;
        for (var i = 0; i < input.N; i++)
        {
            var r = await Dispatch((IDrtService s) => s.RequestAsync(i));
            sum += r.N == i ? 1 : 0;
        }
        return sum;
    }
}

/// <summary>Open tasks: dispatches N delegated tasks in parallel and waits for them (they stay open).</summary>
public sealed class FanOutWorkflow : Workflow<DrtInput, int>
{
    protected override async Task<int> RunAsync(DrtInput input)
    {
        var all = new Deferred<DrtResult>[input.N];
        for (var i = 0; i < input.N; i++)
        {
            var k = i;
            all[i] = Dispatch((IDrtService s) => s.RequestAsync(k));
        }
        var results = await WhenAll(all);
        return results.Length;
    }
}
