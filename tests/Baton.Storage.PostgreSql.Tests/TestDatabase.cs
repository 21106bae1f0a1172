using Baton.Engine.Storage;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>Opens stores on fresh databases of the assembly's PostgreSQL server.</summary>
public static class TestDatabase
{
    /// <param name="connectionString">The test database.</param>
    /// <param name="maxBatchSize">The store's <see cref="PostgreSqlStoreOptions.MaxBatchSize"/>.</param>
    /// <param name="writerConnections">The store's <see cref="PostgreSqlStoreOptions.WriterConnections"/>; its default when null.</param>
    public static PostgreSqlStoreOptions Options(string connectionString, int maxBatchSize = 512, int? writerConnections = null)
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = connectionString, MaxBatchSize = maxBatchSize };
        options.WriterConnections = writerConnections ?? options.WriterConnections;
        return options;
    }

    public static async Task<PostgreSqlStore> OpenAsync(string connectionString, StoreSignals? signals = null, int maxBatchSize = 512, int? writerConnections = null)
    {
        var store = new PostgreSqlStore(Options(connectionString, maxBatchSize, writerConnections), signals ?? new StoreSignals());
        try
        {
            await store.InitializeAsync();
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
        return store;
    }
}
