using Baton.Engine.Storage;
using Baton.Storage.Conformance;

namespace Baton.Storage.PostgreSql.Tests;

public sealed class PostgreSqlWorkflowStoreTests(PostgresServerFixture server) : WorkflowStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlWorkflowQueueTests(PostgresServerFixture server) : WorkflowQueueConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlTaskStoreTests(PostgresServerFixture server) : TaskStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlUserTaskStoreTests(PostgresServerFixture server) : UserTaskStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlTaskQueueTests(PostgresServerFixture server) : TaskQueueConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlTimerStoreTests(PostgresServerFixture server) : TimerStoreConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlCancellationTests(PostgresServerFixture server) : CancellationConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlTaskQueryTests(PostgresServerFixture server) : TaskQueryConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}

public sealed class PostgreSqlKeyValueTests(PostgresServerFixture server) : KeyValueConformance
{
    protected override async Task<IBatonStore> CreateStoreAsync() => await TestDatabase.OpenAsync(await server.CreateDatabaseAsync());
}
