using Baton.Testing;

namespace Baton.Engine.Tests;

public static class BatonTestHostExtensions
{
    /// <summary>Waits until the task's audit trail has an entry of <paramref name="kind"/>.</summary>
    public static Task<TaskDetails> WaitForAuditAsync(BatonTestHost host, string taskId, string kind) =>
        BatonTestHost.WaitUntilAsync(async () =>
        {
            var details = await host.Client.GetTaskAsync(taskId);
            return details.Audit.Any(a => a.Kind == kind) ? details : null;
        }, what: $"audit entry {kind} of task {taskId}");
}
