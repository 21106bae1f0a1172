using Baton.Engine.Storage;
using Baton.Storage.Conformance;

namespace Baton.Storage.Sqlite.Tests;

public sealed class SqliteWorkflowStoreTests : WorkflowStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteWorkflowQueueTests : WorkflowQueueConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteTaskStoreTests : TaskStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteTaskQueueTests : TaskQueueConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteTimerStoreTests : TimerStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteCancellationTests : CancellationConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteTaskQueryTests : TaskQueryConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteKeyValueTests : KeyValueConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}

public sealed class SqliteUserTaskStoreTests : UserTaskStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await Own(new TempDatabase()).OpenAsync();
}
