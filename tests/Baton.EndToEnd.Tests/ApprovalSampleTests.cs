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
            var log = new StringWriter();
            var path = Path.Combine(directory, "approval.db");

            var (approved, timedOut) = await ApprovalDemo.RunAsync(path, log, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

            Assert.Equal("contract-42: approved (looks good)", approved);
            Assert.Equal("invoice-7: no decision within 00:00:01, escalated", timedOut);
            Assert.True(File.Exists(path));
            var text = log.ToString();
            Assert.Contains("[handler]  asking manager@example.com to approve contract-42", text, StringComparison.Ordinal);
            Assert.Contains("[approver] Baton says: task Completed", text, StringComparison.Ordinal);
            Assert.Contains("WorkflowStarted -> TaskScheduled -> TimerStarted -> TaskDelegated -> TimerFired -> WorkflowCompleted", text, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
