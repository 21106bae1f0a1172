using Baton.Engine.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Baton.Engine.Tests;

public sealed class HostingTests
{
    [Fact]
    public async Task AddBaton_GenericHost_StartsEngineAndServesTheClient()
    {
        var directory = Directory.CreateTempSubdirectory("baton-host-").FullName;
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Services.AddSingleton(new ExternalSystem());
            builder.Services.AddBaton(b => b
                .UseSqlite($"Data Source={Path.Combine(directory, "baton.db")}")
                .AddWorkflow<ApprovalWorkflow>()
                .AddService<IApprovalService, ApprovalService>());
            using var host = builder.Build();
            await host.StartAsync();

            var client = host.Services.GetRequiredService<IBatonClient>();
            var started = await client.StartWorkflowAsync<ApprovalWorkflow>("hosted");
            var task = await Testing.BatonTestHost.WaitUntilAsync(async () =>
                (await client.ListTasksAsync(new TaskQuery { WorkflowId = started.WorkflowId, State = TaskState.Delegated })).Items.FirstOrDefault());
            await client.CompleteDelegatedTaskAsync("ApprovalService", task.TaskId, new ApprovalResult(true, "from the host"));

            Assert.Equal("approved: from the host", await client.GetResultAsync<string>(started.WorkflowId, TimeSpan.FromSeconds(10)));
            await host.StopAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AddBaton_NoStore_FailsAtRegistrationWithClearMessage()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(() => services.AddBaton(b => b.AddWorkflow<ApprovalWorkflow>()));

        Assert.Contains("UseSqlite", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    public void Options_MaxCachedWorkflowsOutOfRange_RejectedWhenBuilt(int count)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            BatonEngine.Create(b => b.UseSqlite("Data Source=x.db").Configure(o => o.MaxCachedWorkflows = count)));

        Assert.Contains("MaxCachedWorkflows must be between 0 and 1000000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_OutOfRange_RejectedWhenBuilt()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            BatonEngine.Create(b => b.UseSqlite("Data Source=x.db").Configure(o => o.MaxConcurrentHandlers = 0)));

        Assert.Contains("MaxConcurrentHandlers", error.Message, StringComparison.Ordinal);
    }
}
