using Baton.Samples.Approval;
using Microsoft.Data.Sqlite;

namespace Baton.EndToEnd.Tests;

public sealed class ApprovalSampleTests
{
    [Fact]
    public async Task Sample_BothRuns_ApprovedThenTimedOutOnARealSqliteFile()
    {
        var directory = Directory.CreateTempSubdirectory("baton-sample-").FullName;
        try
        {
            // The handler, the approver and the client write to it from different threads.
            var written = new StringWriter();
            var log = TextWriter.Synchronized(written);
            var path = Path.Combine(directory, "approval.db");

            var (approved, timedOut) = await ApprovalDemo.RunAsync(path, log, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3));

            Assert.Equal("contract-42: approved (looks good)", approved);
            Assert.Equal("invoice-7: no decision within 00:00:03, escalated", timedOut);
            Assert.True(File.Exists(path));
            var text = written.ToString();
            Assert.Contains("[handler]  asking manager@example.com to approve contract-42", text, StringComparison.Ordinal);
            Assert.Contains("[approver] Baton says: task Completed", text, StringComparison.Ordinal);
            // The handler's hand-off is recorded well inside the 3 s timeout, even on a loaded machine.
            Assert.Contains("WorkflowStarted -> TaskScheduled -> TimerStarted -> TaskDelegated -> TimerFired -> WorkflowCompleted", text, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
