using System.Collections.Concurrent;
using Baton.Engine.Hosting;
using Baton.Testing;

namespace Baton.Engine.Tests;

public sealed record ApprovalResult(bool Approved, string Comment);

[Service("ApprovalService")]
public interface IApprovalService
{
    [Delegated(CompleteWithin = "7.00:00:00")]
    Task<ApprovalResult> RequestApprovalAsync(string documentId, string approverId);
}

[Service("Encoder")]
public interface IEncoderService
{
    [Delegated(HeartbeatInterval = "00:10:00")]
    Task<int> EncodeAsync(string videoId);
}

[Service("Calculator")]
public interface ICalculatorService
{
    [Retry(MaxAttempts = 3, InitialInterval = "00:00:01", NonRetryable = [typeof(ArgumentException)])]
    Task<int> AddAsync(int a, int b);
}

/// <summary>The "outside system": records every delegation a handler makes, with its token and callback URL.</summary>
public sealed class ExternalSystem
{
    public ConcurrentQueue<TaskContext> Requests { get; } = new();

    /// <summary>When set, handlers wait for it before returning (to complete a task while its handler still runs).</summary>
    public TaskCompletionSource? HoldHandlers { get; set; }

    public TaskCompletionSource HandlerEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int ThrowTimes { get; set; }

    public Exception? ThrowWith { get; set; }

    public ConcurrentQueue<int> Attempts { get; } = new();
}

public sealed class ApprovalService(ExternalSystem system) : IApprovalService
{
    public async Task<ApprovalResult> RequestApprovalAsync(string documentId, string approverId)
    {
        system.Requests.Enqueue(TaskContext.Current!);
        system.HandlerEntered.TrySetResult();
        if (system.HoldHandlers is { } hold) await hold.Task;
        return null!;
    }
}

public sealed class EncoderService(ExternalSystem system) : IEncoderService
{
    public Task<int> EncodeAsync(string videoId)
    {
        system.Requests.Enqueue(TaskContext.Current!);
        return Task.FromResult(0);
    }
}

public sealed class CalculatorService(ExternalSystem system) : ICalculatorService
{
    public Task<int> AddAsync(int a, int b)
    {
        system.Attempts.Enqueue(TaskContext.Current!.Attempt);
        if (system.ThrowTimes > 0)
        {
            system.ThrowTimes--;
            throw system.ThrowWith ?? new InvalidOperationException("transient failure");
        }
        return Task.FromResult(a + b);
    }
}

/// <summary>Waits for an approval and returns it; a timed-out or failed approval becomes a readable outcome.</summary>
public sealed class ApprovalWorkflow : Workflow<string, string>
{
    protected override async Task<string> RunAsync(string documentId)
    {
        var approval = Dispatch((IApprovalService s) => s.RequestApprovalAsync(documentId, "manager@example.com"),
            new DispatchOptions { Tags = ["doc:" + documentId] });
        try
        {
            var result = await approval;
            return result.Approved ? $"approved: {result.Comment}" : $"rejected: {result.Comment}";
        }
        catch (TaskTimedOutException e)
        {
            return $"timed out: {e.Reason}";
        }
        catch (TaskFailedException e)
        {
            return $"failed: {e.Error.Type}: {e.Error.Message}";
        }
    }
}

/// <summary>The reference texts' document workflow: an approval raced against a timer.</summary>
public sealed class DocumentWorkflow : Workflow<string, string>
{
    protected override async Task<string> RunAsync(string documentId)
    {
        var approval = Dispatch((IApprovalService s) => s.RequestApprovalAsync(documentId, "manager@example.com"));
        var timeout = Timer(TimeSpan.FromDays(2));
        await WhenAny(approval, timeout);
        if (!approval.IsCompleted) return "timeout";
        var decision = await approval;
        return decision.Approved ? "approved" : "rejected";
    }
}

public sealed class AbsoluteDeadlineWorkflow : Workflow<DateTimeOffset, string>
{
    protected override async Task<string> RunAsync(DateTimeOffset completeBy)
    {
        try
        {
            await Dispatch((IApprovalService s) => s.RequestApprovalAsync("abs", "x"), new DispatchOptions { CompleteBy = completeBy });
            return "completed";
        }
        catch (TaskTimedOutException)
        {
            return "timed out";
        }
    }
}

public sealed class EncodingWorkflow : Workflow<string, int>
{
    protected override async Task<int> RunAsync(string videoId) => await Dispatch((IEncoderService s) => s.EncodeAsync(videoId));
}

public sealed class CalculatorWorkflow : Workflow<int, int>
{
    protected override async Task<int> RunAsync(int input) => await Dispatch((ICalculatorService s) => s.AddAsync(input, 1));
}

public static class TestHosts
{
    public static Task<BatonTestHost> StartAsync(ExternalSystem? system = null, Action<BatonBuilder>? more = null) =>
        BatonTestHost.StartAsync(b =>
        {
            b.Services.AddSingletonInstance(system ?? new ExternalSystem());
            b.AddWorkflow<ApprovalWorkflow>().AddWorkflow<DocumentWorkflow>().AddWorkflow<AbsoluteDeadlineWorkflow>()
                .AddWorkflow<EncodingWorkflow>().AddWorkflow<CalculatorWorkflow>()
                .AddService<IApprovalService, ApprovalService>()
                .AddService<IEncoderService, EncoderService>()
                .AddService<ICalculatorService, CalculatorService>();
            more?.Invoke(b);
        });

    private static void AddSingletonInstance(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, ExternalSystem system) =>
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, system);

    public static async Task<(string WorkflowId, TaskInfo Task)> StartApprovalAsync(this BatonTestHost host, string documentId = "doc-1")
    {
        var started = await host.Client.StartWorkflowAsync<ApprovalWorkflow>(documentId);
        var task = await host.WaitForTaskAsync(started.WorkflowId);
        return (started.WorkflowId, task);
    }
}
