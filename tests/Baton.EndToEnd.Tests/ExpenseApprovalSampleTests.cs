using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Baton.Client;
using Baton.Samples.ExpenseApproval;
using Baton.Testing;
using Microsoft.Data.Sqlite;

namespace Baton.EndToEnd.Tests;

/// <summary>
/// The expense approval sample as its own process on a SQLite file: people act through their inboxes over HTTP with
/// their own API keys, and the payment completes only when the sample's simulated provider calls the task's callback URL.
/// </summary>
public sealed class ExpenseApprovalSampleTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ExpenseWorkflow_ManagerApprovesFromInbox_PaidThroughProviderWebhook()
    {
        await using var app = await ExpenseApprovalApp.StartAsync();
        var alice = await app.PersonAsync("alice", "manager");
        var dora = await app.PersonAsync("dora", "director");
        var report = new ExpenseReport("exp-101", "erin", 84.50m, "Train to the customer workshop");

        var started = await app.Admin.StartWorkflowAsync<ExpenseWorkflow>(report, "expense-exp-101");
        var task = await InboxTaskAsync(alice, started.WorkflowId);
        Assert.Equal("Approve", task.Action);
        Assert.Equal(["manager"], task.Roles);
        Assert.Equal("exp-101", task.Input!.Value.GetProperty("id").GetString());
        Assert.Equal(84.50m, task.Input.Value.GetProperty("amount").GetDecimal());
        Assert.NotNull(task.TimeoutAt);
        Assert.DoesNotContain((await dora.GetInboxAsync(new InboxQuery())).Items, t => t.WorkflowId == started.WorkflowId);

        var claimed = await alice.ClaimUserTaskAsync(task.TaskId);
        Assert.Equal("alice", claimed.ClaimedBy);
        var completed = await alice.CompleteUserTaskAsync(task.TaskId, BatonJson.ToElement(new ExpenseDecision(true, "fine")));
        Assert.Equal(TaskState.Completed, completed.State);

        var outcome = await app.Admin.GetResultAsync<ExpenseOutcome>(started.WorkflowId, Patience);
        Assert.Equal(ExpenseStatus.Paid, outcome.Status);
        Assert.Equal("alice", outcome.DecidedBy);
        Assert.False(outcome.Escalated);
        Assert.Equal("fine", outcome.Comment);
        Assert.StartsWith("pay_", outcome.PaymentReference, StringComparison.Ordinal);

        // The payment task was delegated, then completed by the provider through the callback URL (not by a key holder).
        var payment = await PaymentTaskAsync(app.Admin, started.WorkflowId);
        Assert.NotNull(payment);
        var details = await app.Admin.GetTaskAsync(payment.TaskId);
        Assert.Equal(TaskState.Completed, details.State);
        Assert.Contains(details.Audit, a => a.Kind == "Delegated");
        var completion = Assert.Single(details.Audit, a => a.Kind == "Completed");
        Assert.Equal("callback", completion.Via);
        Assert.Equal(outcome.PaymentReference, details.Result!.Value.GetProperty("reference").GetString());
        Assert.Equal(84.50m, details.Result.Value.GetProperty("amount").GetDecimal());
        Assert.Empty((await alice.GetInboxAsync(new InboxQuery())).Items);
    }

    [Fact]
    public async Task ExpenseWorkflow_ManagerTimesOut_DirectorApprovesEscalationAndItIsPaid()
    {
        await using var app = await ExpenseApprovalApp.StartAsync("--Expense:ManagerTimeout", "00:00:02");
        var alice = await app.PersonAsync("alice", "manager");
        var dora = await app.PersonAsync("dora", "director");
        var report = new ExpenseReport("exp-202", "erin", 2400m, "Conference ticket");

        var started = await app.Admin.StartWorkflowAsync<ExpenseWorkflow>(report, "expense-exp-202");
        // Nobody acts: after two seconds the manager's task times out and the director gets an escalation.
        var escalation = await InboxTaskAsync(dora, started.WorkflowId);
        var userTasks = (await app.Admin.ListTasksAsync(new TaskQuery { WorkflowId = started.WorkflowId, ServiceName = UserTaskRequest.ServiceName })).Items;
        var managerTask = Assert.Single(userTasks, t => t.TaskId != escalation.TaskId);
        Assert.Equal(TaskState.TimedOut, managerTask.State);
        Assert.Equal(["director"], escalation.Roles);
        Assert.Equal("manager", escalation.Input!.Value.GetProperty("escalatedFrom").GetString());
        Assert.False(string.IsNullOrWhiteSpace(escalation.Input.Value.GetProperty("reason").GetString()));
        Assert.Equal("exp-202", escalation.Input.Value.GetProperty("expense").GetProperty("id").GetString());
        Assert.DoesNotContain((await alice.GetInboxAsync(new InboxQuery())).Items, t => t.WorkflowId == started.WorkflowId);
        await Assert.ThrowsAsync<UserTaskNotAssignedException>(() => alice.ClaimUserTaskAsync(escalation.TaskId));
        await Assert.ThrowsAsync<TaskWrongStateException>(() =>
            alice.CompleteUserTaskAsync(managerTask.TaskId, BatonJson.ToElement(new ExpenseDecision(true, "too late"))));

        await dora.ClaimUserTaskAsync(escalation.TaskId);
        await dora.CompleteUserTaskAsync(escalation.TaskId, BatonJson.ToElement(new ExpenseDecision(true, "approved on escalation")));

        var outcome = await app.Admin.GetResultAsync<ExpenseOutcome>(started.WorkflowId, Patience);
        Assert.Equal(ExpenseStatus.Paid, outcome.Status);
        Assert.Equal("dora", outcome.DecidedBy);
        Assert.True(outcome.Escalated);
        Assert.StartsWith("pay_", outcome.PaymentReference, StringComparison.Ordinal);
        var payment = await PaymentTaskAsync(app.Admin, started.WorkflowId);
        Assert.Equal(TaskState.Completed, payment!.State);
    }

    [Fact]
    public async Task ExpenseWorkflow_ManagerRejects_RejectedWithoutPaymentTask()
    {
        await using var app = await ExpenseApprovalApp.StartAsync();
        var alice = await app.PersonAsync("alice", "manager");
        var report = new ExpenseReport("exp-303", "erin", 990m, "Espresso machine for home office");

        var started = await app.Admin.StartWorkflowAsync<ExpenseWorkflow>(report, "expense-exp-303");
        var task = await InboxTaskAsync(alice, started.WorkflowId);
        await alice.ClaimUserTaskAsync(task.TaskId);
        await alice.CompleteUserTaskAsync(task.TaskId, BatonJson.ToElement(new ExpenseDecision(false, "not a business expense")));

        var outcome = await app.Admin.GetResultAsync<ExpenseOutcome>(started.WorkflowId, Patience);
        Assert.Equal(new ExpenseOutcome("exp-303", ExpenseStatus.Rejected, "alice", false, null, "not a business expense"), outcome);
        Assert.Null(await PaymentTaskAsync(app.Admin, started.WorkflowId));
    }

    private static Task<UserTaskInfo> InboxTaskAsync(BatonHttpClient person, string workflowId) =>
        BatonTestHost.WaitUntilAsync(async () =>
            (await person.GetInboxAsync(new InboxQuery())).Items.FirstOrDefault(t => t.WorkflowId == workflowId),
            Patience, $"a task of {workflowId} in the inbox");

    private static async Task<TaskInfo?> PaymentTaskAsync(BatonHttpClient admin, string workflowId) =>
        (await admin.ListTasksAsync(new TaskQuery { WorkflowId = workflowId, ServiceName = "PaymentGateway" })).Items.SingleOrDefault();

    /// <summary>The sample app as a child process on a free loopback port and a SQLite file in a temporary directory.</summary>
    private sealed class ExpenseApprovalApp : IAsyncDisposable
    {
        private const string AdminKey = "bk_sample_expense_admin_key_0123456789";
        private readonly Process _process;
        private readonly string _directory;
        private readonly List<string> _output = [];
        private readonly List<BatonHttpClient> _clients = [];

        private ExpenseApprovalApp(Process process, string directory, Uri baseAddress)
        {
            _process = process;
            _directory = directory;
            BaseAddress = baseAddress;
            Admin = Client(AdminKey);
        }

        public Uri BaseAddress { get; }

        public BatonHttpClient Admin { get; }

        public static async Task<ExpenseApprovalApp> StartAsync(params string[] settings)
        {
            var directory = Directory.CreateTempSubdirectory("baton-expense-").FullName;
            var port = FreePort();
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ExpenseApproval.dll"), "--urls", $"http://127.0.0.1:{port}",
                         "--Database", Path.Combine(directory, "expenses.db"), "--ApiKey", AdminKey, "--SimulatedGateway:SettleAfter", "00:00:00.300" }.Concat(settings))
                info.ArgumentList.Add(arg);
            var app = new ExpenseApprovalApp(Process.Start(info)!, directory, new Uri($"http://127.0.0.1:{port}"));
            app._process.OutputDataReceived += (_, e) => app.Record(e.Data);
            app._process.ErrorDataReceived += (_, e) => app.Record(e.Data);
            app._process.BeginOutputReadLine();
            app._process.BeginErrorReadLine();
            await BatonTestHost.WaitUntilAsync(async () =>
            {
                if (app._process.HasExited) throw new InvalidOperationException($"The sample exited with {app._process.ExitCode}:\n{app.Output}");
                try
                {
                    return await app.Admin.ListWorkflowsAsync(new WorkflowQuery { Limit = 1 });
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            }, TimeSpan.FromSeconds(60), "the sample to answer");
            return app;
        }

        /// <summary>A client acting as a person: an API key named after them holding their role.</summary>
        public async Task<BatonHttpClient> PersonAsync(string name, string role)
        {
            var created = await Admin.CreateApiKeyAsync(name, [role]);
            return Client(created.Key);
        }

        private BatonHttpClient Client(string apiKey)
        {
            var client = new BatonHttpClient(new BatonHttpClientOptions { BaseAddress = BaseAddress, ApiKey = apiKey });
            _clients.Add(client);
            return client;
        }

        private string Output
        {
            get
            {
                lock (_output) return string.Join('\n', _output);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            // The app's log tells what happened on a failure.
            TestContext.Current.TestOutputHelper?.WriteLine(Output);
            _process.Dispose();
            foreach (var client in _clients) client.Dispose();
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }

        private void Record(string? line)
        {
            if (line is null) return;
            lock (_output) _output.Add(line);
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
