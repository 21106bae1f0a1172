using Baton.Engine.Storage;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>A unique temporary directory holding one database file; deleted on dispose.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Directory = Path.Combine(Path.GetTempPath(), "baton-sqlite-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        FilePath = Path.Combine(Directory, "baton.db");
    }

    public string Directory { get; }

    public string FilePath { get; }

    public SqliteStoreOptions Options(int maxBatchSize = 512) => new() { ConnectionString = $"Data Source={FilePath}", MaxBatchSize = maxBatchSize };

    public async Task<SqliteStore> OpenAsync(StoreSignals? signals = null, int maxBatchSize = 512)
    {
        var store = new SqliteStore(Options(maxBatchSize), signals ?? new StoreSignals());
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

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
