using Baton.Engine.Hosting;
using Baton.EndToEnd.Worker;
using Microsoft.Data.Sqlite;

namespace Baton.EndToEnd.Tests;

/// <summary>
/// A node runs 200 payment workflows with delegated tasks and is killed with SIGKILL at random moments (before
/// delegation, between delegation and completion, during completion, during the final step) and restarted each time.
/// At the end every workflow has finished exactly once and every completion was applied exactly once.
/// </summary>
public sealed class KillDurabilityTests(ITestOutputHelper output)
{
    private const int Workflows = 200;

    [Fact]
    public async Task Worker_KilledRepeatedlyAtRandomMoments_EveryWorkflowFinishesOnceAndEveryCompletionAppliesOnce()
    {
        var directory = Directory.CreateTempSubdirectory("baton-kill-").FullName;
        try
        {
            var random = new Random(20261125);
            var midRunKills = 0;
            for (var kill = 1; kill <= 16; kill++)
            {
                using var worker = WorkerProcess.Start(directory, Workflows);
                var delay = TimeSpan.FromMilliseconds(random.Next(250, 1100));
                var finished = await Task.WhenAny(worker.Done, Task.Delay(delay)) == worker.Done;
                worker.Kill();
                output.WriteLine($"kill {kill} after {delay.TotalMilliseconds} ms: {Snapshot(directory)}{(finished ? " (had finished)" : "")}");
                if (finished) break;
                midRunKills++;
            }
            Assert.True(midRunKills >= 5, $"only {midRunKills} kills landed while work was in flight");
            using (var last = WorkerProcess.Start(directory, Workflows))
            {
                await last.Done.WaitAsync(TimeSpan.FromMinutes(3));
            }
            await VerifyAsync(directory);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task VerifyAsync(string directory)
    {
        await using var engine = BatonEngine.Create(b => b.UseSqlite($"Data Source={Path.Combine(directory, "baton.db")}").AddWorkflow<PaymentWorkflow>());
        await engine.StartAsync();
        var client = engine.Client;
        for (var i = 0; i < Workflows; i++)
        {
            var id = $"payment-{i}";
            var info = await client.GetWorkflowAsync(id);
            Assert.Equal(WorkflowState.Completed, info.State);
            Assert.Equal($"{i}:{i}:True", info.Result!.Value.GetString());
            var history = await client.GetWorkflowHistoryAsync(id);
            Assert.Equal(Enumerable.Range(1, history.Count).Select(n => (long)n), history.Select(e => e.Seq));
            Assert.Equal("WorkflowStarted", history[0].Kind);
            Assert.Equal("WorkflowCompleted", history[^1].Kind);
            foreach (var kind in new[] { "WorkflowStarted", "TaskScheduled", "TaskCompleted", "WorkflowCompleted" })
                Assert.Single(history, e => e.Kind == kind);
            Assert.True(history.Count(e => e.Kind == "TaskDelegated") <= 1, $"{id}: more than one delegation recorded");
            var taskId = history.Single(e => e.Kind == "TaskScheduled").TaskId!;
            var task = await client.GetTaskAsync(taskId);
            Assert.Equal(TaskState.Completed, task.State);
            Assert.Single(task.Audit, a => a.Kind == "Completed");
            Assert.Equal(i, task.Result!.Value.GetProperty("n").GetInt32());
        }
        using var gateway = new SqliteConnection($"Data Source={Path.Combine(directory, "gateway.db")}");
        gateway.Open();
        using var command = gateway.CreateCommand();
        command.CommandText = "SELECT count(*), sum(delivered), sum(requests > 1) FROM charges";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal(Workflows, reader.GetInt32(0));
        Assert.Equal(Workflows, reader.GetInt32(1));
        output.WriteLine($"handlers that ran more than once after a kill: {reader.GetInt32(2)}");
    }

    private static string Snapshot(string directory)
    {
        var path = Path.Combine(directory, "baton.db");
        if (!File.Exists(path)) return "no database yet";
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT state, count(*) FROM tasks GROUP BY state ORDER BY state";
            using var reader = command.ExecuteReader();
            var parts = new List<string>();
            while (reader.Read()) parts.Add($"{reader.GetString(0)}={reader.GetInt64(1)}");
            return "tasks " + string.Join(", ", parts);
        }
        catch (SqliteException e)
        {
            return "snapshot unavailable: " + e.Message;
        }
    }
}
