using Baton.Engine.Storage;
using Baton.Engine.Tasks;

namespace Baton.Engine.Tests;

/// <summary>The facts a node keeps of the delegated tasks it created: only those, and never more than its capacity.</summary>
public sealed class RecentTasksTests
{
    [Fact]
    public void Remember_DelegatedTasksOnly_OrdinaryAndUserTasksAreLeftToTheStore()
    {
        var recent = new RecentTasks();

        recent.Remember([Task("d-1"), Task("o-1", delegated: false), Task("u-1") with { UserTask = new NewUserTask { Name = "Approve", Spec = "{}", Action = "approve", Roles = ["clerk"] } }]);

        Assert.Equal(new RecentTasks.Facts("Approvals", "Approve", "schema-1"), recent.Find("d-1"));
        Assert.Null(recent.Find("o-1"));
        Assert.Null(recent.Find("u-1"));
    }

    [Fact]
    public void Remember_BeyondCapacity_TheOldestGoFirst()
    {
        var recent = new RecentTasks(capacity: 3);

        recent.Remember([.. Enumerable.Range(1, 5).Select(i => Task($"t-{i}"))]);

        Assert.Equal(3, recent.Count);
        Assert.Null(recent.Find("t-2"));
        Assert.NotNull(recent.Find("t-3"));
        Assert.NotNull(recent.Find("t-5"));
    }

    [Fact]
    public void RememberAndForget_ManyMoreThanCapacity_StaysBounded()
    {
        var recent = new RecentTasks(capacity: 3);

        // Forgotten ids stay queued until their turn: the queue must not grow with them.
        for (var i = 0; i < 10_000; i++)
        {
            recent.Remember([Task($"t-{i}")]);
            recent.Forget($"t-{i}");
        }
        recent.Remember([.. Enumerable.Range(0, 3).Select(i => Task($"last-{i}"))]);

        Assert.Equal(3, recent.Count);
        Assert.Equal(3, recent.Queued);
    }

    private static NewTask Task(string id, bool delegated = true) => new()
    {
        TaskId = id, WorkflowId = "wf", CommandId = 1, ServiceName = "Approvals", MethodName = "Approve", Arguments = "[]",
        IsDelegated = delegated, ResultSchemaId = "schema-1", CreatedAt = DateTimeOffset.UnixEpoch,
    };
}
