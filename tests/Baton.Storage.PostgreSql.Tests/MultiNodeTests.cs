using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>
/// Three real Baton node processes share one database and run 1,200 payment workflows whose delegated tasks are completed
/// through whichever node delivers the webhook. One node is killed with SIGKILL mid-run; the others take over its work once
/// its leases expire. Every workflow finishes exactly once and every completion is applied exactly once.
/// </summary>
public sealed class MultiNodeTests(PostgresServerFixture server, ITestOutputHelper output)
{
    private const int Workflows = 1200;
    private const int Nodes = 3;

    [Fact]
    public async Task ThreeNodes_OneKilledMidRun_EveryWorkflowFinishesOnceAndEveryCompletionAppliesOnce()
    {
        var cs = await server.CreateDatabaseAsync();
        var nodes = Enumerable.Range(0, Nodes).Select(i => NodeProcess.Start(cs, i, Nodes, Workflows)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => n.Started)).WaitAsync(TimeSpan.FromSeconds(60));
            var clock = Stopwatch.StartNew();

            // Kill the last node with SIGKILL once a fair part of the work is done and much is still in flight.
            await WaitForAsync(cs, completed => completed >= Workflows / 4, TimeSpan.FromSeconds(60));
            var victim = nodes[^1];
            victim.Kill();
            var atKill = await CompletedAsync(cs);
            var inFlight = await ScalarAsync(cs, "SELECT COUNT(*) FROM workflows WHERE lease_owner = 'node-2' OR id IN (SELECT workflow_id FROM tasks WHERE lease_owner = 'node-2')");
            output.WriteLine($"killed node-2 after {clock.ElapsedMilliseconds} ms with {atKill} completed; it held {inFlight} claims");

            await WaitForAsync(cs, completed => completed == Workflows, TimeSpan.FromSeconds(90));
            output.WriteLine($"all {Workflows} completed after {clock.ElapsedMilliseconds} ms");
            Assert.All(nodes.Take(Nodes - 1), n => Assert.False(n.HasExited, n.Errors));
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
        await VerifyAsync(cs);
    }

    [Fact]
    public async Task ThreeNodes_DatabaseRestartedMidRun_NodesRetryAndNothingIsLostOrDoubled()
    {
        // A private server of its own: restarting the shared one would disturb the other test classes.
        await using var privateServer = new PostgresServerFixture("restart");
        await privateServer.InitializeAsync();
        var cs = await privateServer.CreateDatabaseAsync();
        var nodes = Enumerable.Range(0, Nodes).Select(i => NodeProcess.Start(cs, i, Nodes, Workflows)).ToList();
        try
        {
            await Task.WhenAll(nodes.Select(n => n.Started)).WaitAsync(TimeSpan.FromSeconds(60));
            await WaitForAsync(cs, completed => completed >= Workflows / 4, TimeSpan.FromSeconds(60));
            var clock = Stopwatch.StartNew();
            await privateServer.RestartAsync();
            NpgsqlConnection.ClearAllPools();
            output.WriteLine($"PostgreSQL restarted in {clock.ElapsedMilliseconds} ms");

            await WaitForAsync(cs, completed => completed == Workflows, TimeSpan.FromSeconds(120));
            Assert.All(nodes, n => Assert.False(n.HasExited, n.Errors));
            Assert.Contains(nodes, n => n.Errors.Length > 0); // the outage was seen (and survived), not slept through
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
            }
        }
        await VerifyAsync(cs);
    }

    private async Task VerifyAsync(string cs)
    {
        Assert.Equal(Workflows, await ScalarAsync(cs, "SELECT COUNT(*) FROM workflows WHERE state = 'Completed'"));
        Assert.Equal(Workflows, await ScalarAsync(cs, "SELECT COUNT(*) FROM workflows"));
        Assert.Equal(0, await ScalarAsync(cs,
            "SELECT COUNT(*) FROM workflows w WHERE w.result <> '\"' || substr(w.id, 9) || ':' || substr(w.id, 9) || ':True\"'"));
        // Exactly one of each decisive event per workflow, histories without gaps.
        foreach (var kind in new[] { "WorkflowStarted", "TaskScheduled", "TaskCompleted", "WorkflowCompleted" })
        {
            Assert.Equal(0, await ScalarAsync(cs,
                $"SELECT COUNT(*) FROM workflows w WHERE (SELECT COUNT(*) FROM history h WHERE h.workflow_id = w.id AND h.kind = '{kind}') <> 1"));
        }
        Assert.Equal(0, await ScalarAsync(cs,
            "SELECT COUNT(*) FROM (SELECT workflow_id, MAX(seq) AS m, COUNT(*) AS c FROM history GROUP BY workflow_id) x WHERE x.m <> x.c"));
        // Every task completed once: one Completed audit entry, and the gateway saw each charge delivered.
        Assert.Equal(Workflows, await ScalarAsync(cs, "SELECT COUNT(*) FROM tasks WHERE state = 'Completed'"));
        Assert.Equal(0, await ScalarAsync(cs,
            "SELECT COUNT(*) FROM tasks t WHERE (SELECT COUNT(*) FROM task_audit a WHERE a.task_id = t.task_id AND a.kind = 'Completed') <> 1"));
        Assert.Equal(Workflows, await ScalarAsync(cs, "SELECT COUNT(*) FROM gateway_charges WHERE delivered_by IS NOT NULL"));
        var deliverers = await ScalarAsync(cs, "SELECT COUNT(DISTINCT delivered_by) FROM gateway_charges");
        var stepNodes = await ScalarAsync(cs, "SELECT COUNT(DISTINCT actor) FROM task_audit WHERE kind = 'Started'");
        Assert.True(deliverers >= 2, $"completions came through {deliverers} node(s) only");
        Assert.True(stepNodes >= 2, $"handlers ran on {stepNodes} node(s) only");
        output.WriteLine($"completions delivered through {deliverers} nodes; handlers ran on {stepNodes} nodes; " +
            $"handlers re-run after the kill: {await ScalarAsync(cs, "SELECT COUNT(*) FROM gateway_charges WHERE requests > 1")}; " +
            $"webhooks re-sent: {await ScalarAsync(cs, "SELECT COUNT(*) FROM gateway_charges WHERE deliveries > 1")}");
    }

    private static async Task<long> CompletedAsync(string cs) => await ScalarAsync(cs, "SELECT COUNT(*) FROM workflows WHERE state = 'Completed'");

    private async Task WaitForAsync(string cs, Func<long, bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        long completed = 0;
        while (deadline.Elapsed < timeout)
        {
            try
            {
                completed = await CompletedAsync(cs);
            }
            catch (NpgsqlException)
            {
                // The test's own view of the database also goes through the restart: look again shortly.
                NpgsqlConnection.ClearAllPools();
                await Task.Delay(100);
                continue;
            }
            if (condition(completed))
            {
                return;
            }
            await Task.Delay(100);
        }
        output.WriteLine(await StateAsync(cs));
        Assert.Fail($"timed out with {completed} of {Workflows} workflows completed");
    }

    private static async Task<string> StateAsync(string cs)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT state || '=' || COUNT(*) FROM tasks GROUP BY state", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var parts = new List<string>();
        while (await reader.ReadAsync())
        {
            parts.Add(reader.GetString(0));
        }
        return "tasks " + string.Join(", ", parts);
    }

    private static async Task<long> ScalarAsync(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
