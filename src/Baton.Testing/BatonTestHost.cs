using Baton.Engine.Hosting;
using Baton.Storage.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Baton.Testing;

/// <summary>
/// An engine for tests: a real SQLite file in a temporary folder, and a virtual clock so a workflow that waits seven
/// days for an approval is tested in milliseconds (<see cref="AdvanceAsync"/>). Dispose it to stop the engine and
/// delete the folder.
/// </summary>
public sealed class BatonTestHost : IAsyncDisposable
{
    private readonly string _directory;

    private BatonTestHost(BatonEngine engine, FakeTimeProvider clock, string directory, string databasePath)
    {
        Engine = engine;
        Clock = clock;
        _directory = directory;
        DatabasePath = databasePath;
    }

    /// <summary>The engine under test.</summary>
    public BatonEngine Engine { get; }

    /// <summary>The in-process client.</summary>
    public IBatonClient Client => Engine.Client;

    /// <summary>The virtual clock the engine runs on; starts at 2026-01-01T00:00:00Z.</summary>
    public FakeTimeProvider Clock { get; }

    /// <summary>The SQLite file.</summary>
    public string DatabasePath { get; }

    /// <summary>Starts an engine with the given registrations on a fresh SQLite file and a virtual clock.</summary>
    public static async Task<BatonTestHost> StartAsync(Action<BatonBuilder> configure, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var directory = Path.Combine(Path.GetTempPath(), "baton-test-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(directory);
        var databasePath = Path.Combine(directory, "baton.db");
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var engine = BatonEngine.Create(b =>
        {
            b.UseSqlite($"Data Source={databasePath}").UseTimeProvider(clock).Configure(o => o.IdlePollInterval = TimeSpan.FromMilliseconds(200));
            configure(b);
        }, loggerFactory);
        await engine.StartAsync().ConfigureAwait(false);
        return new BatonTestHost(engine, clock, directory, databasePath);
    }

    /// <summary>The inbox of <paramref name="userId"/> holding <paramref name="roles"/> (no operator or admin powers).</summary>
    public IUserTaskClient Inbox(string userId, params string[] roles) => Engine.UserTasks(new UserIdentity(userId, roles));

    /// <summary>Waits until the workflow has an open user task and returns it as its assignees see it.</summary>
    public Task<UserTaskInfo> WaitForUserTaskAsync(string workflowId, TimeSpan? timeout = null) =>
        WaitUntilAsync(async () =>
        {
            var page = await Client.ListTasksAsync(new TaskQuery { WorkflowId = workflowId, ServiceName = UserTaskRequest.ServiceName, OpenOnly = true }).ConfigureAwait(false);
            if (page.Items.FirstOrDefault() is not { } task) return null;
            var admin = Engine.UserTasks(new UserIdentity("test-host", [], UserTaskPrivilege.Admin));
            return await admin.GetUserTaskAsync(task.TaskId).ConfigureAwait(false);
        }, timeout, $"an open user task of workflow {workflowId}");

    /// <summary>Moves the virtual clock forward; due timers and deadlines fire.</summary>
    public Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return Task.CompletedTask;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns a value, failing with <see cref="TimeoutException"/> after <paramref name="timeout"/> of real time (default 10 s).</summary>
    public static async Task<T> WaitUntilAsync<T>(Func<Task<T?>> probe, TimeSpan? timeout = null, string? what = null) where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await probe().ConfigureAwait(false) is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what ?? "a condition"}.");
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the workflow has an open task in <paramref name="state"/> and returns it.</summary>
    public Task<TaskInfo> WaitForTaskAsync(string workflowId, TaskState state = TaskState.Delegated, TimeSpan? timeout = null) =>
        WaitUntilAsync(async () =>
        {
            var page = await Client.ListTasksAsync(new TaskQuery { WorkflowId = workflowId, State = state }).ConfigureAwait(false);
            return page.Items.FirstOrDefault();
        }, timeout, $"a {state} task of workflow {workflowId}");

    /// <summary>Waits until the workflow finishes and returns its status.</summary>
    public Task<WorkflowInfo> WaitForFinishAsync(string workflowId, TimeSpan? timeout = null) =>
        WaitUntilAsync(async () =>
        {
            var info = await Client.GetWorkflowAsync(workflowId).ConfigureAwait(false);
            return info.State == WorkflowState.Running ? null : info;
        }, timeout, $"workflow {workflowId} to finish");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
