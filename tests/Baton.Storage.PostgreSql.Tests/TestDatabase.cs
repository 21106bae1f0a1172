using Baton.Engine.Storage;

namespace Baton.Storage.PostgreSql.Tests;

/// <summary>Opens stores on fresh databases of the assembly's PostgreSQL server.</summary>
public static class TestDatabase
{
    public static PostgreSqlStoreOptions Options(string connectionString, int maxBatchSize = 512) =>
        new() { ConnectionString = connectionString, MaxBatchSize = maxBatchSize };

    public static async Task<PostgreSqlStore> OpenAsync(string connectionString, StoreSignals? signals = null, int maxBatchSize = 512)
    {
        var store = new PostgreSqlStore(Options(connectionString, maxBatchSize), signals ?? new StoreSignals());
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
