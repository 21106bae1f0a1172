using Baton.Engine.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Baton.Samples.Approval;

/// <summary>Runs the two scenarios of the sample against one SQLite file, printing each step.</summary>
public static class ApprovalDemo
{
    /// <summary>
    /// First run: the approver answers after <paramref name="approverDelay"/>, so the workflow is approved.
    /// Second run: nobody answers, so the timer of <paramref name="timeout"/> wins. Returns both workflow results.
    /// </summary>
    public static async Task<(string Approved, string TimedOut)> RunAsync(string databasePath, TextWriter log, TimeSpan approverDelay, TimeSpan timeout)
    {
        var system = new ApprovalSystem();
        await using var engine = BatonEngine.Create(b => b
            .UseSqlite($"Data Source={databasePath}")
            .AddWorkflow<DocumentWorkflow>()
            .AddService<IApprovalService>(_ => new ApprovalService(system, log)));
        await engine.StartAsync();
        var client = engine.Client;
        log.WriteLine($"Baton started on {databasePath}");

        log.WriteLine();
        log.WriteLine("Run 1: the approver answers.");
        using var stopApprover = new CancellationTokenSource();
        var approver = Task.Run(() => ApproveAsync(client, system, log, approverDelay, stopApprover.Token));
        var approved = await RunOneAsync(client, log, new DocumentRequest("contract-42", "manager@example.com", timeout * 10));
        await stopApprover.CancelAsync();
        await approver;

        log.WriteLine();
        log.WriteLine("Run 2: the approver never answers.");
        var timedOut = await RunOneAsync(client, log, new DocumentRequest("invoice-7", "manager@example.com", timeout));
        return (approved, timedOut);
    }

    private static async Task<string> RunOneAsync(IBatonClient client, TextWriter log, DocumentRequest request)
    {
        var started = await client.StartWorkflowAsync<DocumentWorkflow>(request);
        log.WriteLine($"  [client]   started workflow {started.WorkflowId} for {request.DocumentId}, waiting up to {request.WaitFor}");
        var result = await client.GetResultAsync<string>(started.WorkflowId, request.WaitFor + TimeSpan.FromSeconds(30));
        log.WriteLine($"  [client]   workflow finished: {result}");
        var history = await client.GetWorkflowHistoryAsync(started.WorkflowId);
        log.WriteLine($"  [history]  {string.Join(" -> ", history.Select(e => e.Kind))}");
        return result;
    }

    private static async Task ApproveAsync(IBatonClient client, ApprovalSystem system, TextWriter log, TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await foreach (var request in system.Inbox.ReadAllAsync(stop))
            {
                await Task.Delay(delay, stop);
                log.WriteLine($"  [approver] {request.ApproverId} approves {request.DocumentId}");
                var answer = await client.CompleteDelegatedTaskAsync(request.ServiceName, request.TaskId, new ApprovalResult(true, "looks good"), stop);
                log.WriteLine($"  [approver] Baton says: task {answer.State}{(answer.AlreadyCompleted ? " (already completed)" : "")}");
                return;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
