using Baton.Engine.Storage;
using Baton.Storage.Conformance;

namespace Baton.Storage.Sqlite.Tests;

public sealed class SqliteWorkflowStoreTests : WorkflowStoreConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteWorkflowQueueTests : WorkflowQueueConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteTaskStoreTests : TaskStoreConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteTaskQueueTests : TaskQueueConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteTimerStoreTests : TimerStoreConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteCancellationTests : CancellationConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteTaskQueryTests : TaskQueryConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteKeyValueTests : KeyValueConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}

public sealed class SqliteUserTaskStoreTests : UserTaskStoreConformance
{
    private readonly TempDatabase _db = new();

    protected override async Task<IBatonStore> CreateStoreAsync() => await _db.OpenAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _db.Dispose();
    }
}
