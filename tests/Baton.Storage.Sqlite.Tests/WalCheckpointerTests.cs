using Baton.Engine.Hosting;
using Baton.Shared;
using Baton.Storage.Sqlite.Internal;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Baton.Storage.Sqlite.Tests;

/// <summary>
/// What operators learn from the SQLite store: a failing background checkpoint is reported once with its cause, its
/// recovery once, and the store built through <c>UseSqlite</c> reports to the host's logging.
/// </summary>
public sealed class WalCheckpointerTests : IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Checkpoints_FailingThenSucceeding_OneWarningWithTheCauseThenOneRecoveryLine()
    {
        using var writerConnection = new SqliteConnection($"Data Source={_db.FilePath}");
        writerConnection.Open();
        using var writer = new NativeSql(writerConnection, SqliteDialect.Instance);
        writer.Exec("PRAGMA journal_mode = WAL");
        writer.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
        var logger = new RecordingLogger();
        var attempts = 0;
        // The disk fails three checkpoints (the edge a test cannot reach for real), then recovers.
        long Checkpoint(SqliteConnection connection)
        {
            if (Interlocked.Increment(ref attempts) <= 3)
            {
                throw new IOException("disk I/O error (simulated)");
            }
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
            return 0;
        }

        using var checkpointer = WalCheckpointer.Start($"Data Source={_db.FilePath}", SqliteSynchronous.Full, writer, 1, logger, Checkpoint);
        // Act as the writer: commit, count the pages, and let each request be tried before the next.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (checkpointer.Checkpoints == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{Volatile.Read(ref attempts)} attempts, {checkpointer.Checkpoints} checkpoints");
            var before = Volatile.Read(ref attempts);
            writer.Exec("INSERT INTO t (body) VALUES (@body)", ("@body", new string('x', 5000)));
            checkpointer.AfterBatch();
            while (Volatile.Read(ref attempts) == before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }
        }

        // The recovery line is written right after the successful checkpoint is counted.
        while (logger.Records.Count < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        var records = logger.Records.ToArray();
        Assert.Equal(2, records.Length);
        Assert.Equal((LogLevel.Warning, 2001), (records[0].Level, records[0].EventId));
        Assert.IsType<IOException>(records[0].Exception);
        Assert.Contains("4 pages", records[0].Message, StringComparison.Ordinal);
        Assert.Equal((LogLevel.Information, 2002), (records[1].Level, records[1].EventId));
        Assert.Contains("after 3 failed in a row", records[1].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(3, 1)]
    [InlineData(40, 1)]
    public async Task Checkpoint_OnLinux_SyncsTheDatabaseFileOnlyOnceTheLogIsThreeThresholdsLong(long logPages, long syncs)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the store syncs files itself on Linux only");
        using var writerConnection = new SqliteConnection($"Data Source={_db.FilePath}");
        writerConnection.Open();
        using var writer = new NativeSql(writerConnection, SqliteDialect.Instance);
        writer.Exec("PRAGMA journal_mode = WAL");
        writer.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
        // A threshold of one page: the checkpointer syncs after a checkpoint that reports a log of three pages or more.
        using var checkpointer = WalCheckpointer.Start(
            $"Data Source={_db.FilePath}", SqliteSynchronous.Full, writer, 1, new RecordingLogger(), _ => logPages, databasePath: _db.FilePath);

        writer.Exec("INSERT INTO t (body) VALUES (@body)", ("@body", "x"));
        checkpointer.AfterBatch();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (checkpointer.Checkpoints == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no checkpoint ran");
            await Task.Delay(5);
        }

        // The sync, if any, is counted before its checkpoint.
        Assert.Equal(1, checkpointer.Checkpoints);
        Assert.Equal(syncs, checkpointer.DatabaseSyncs);
    }

    [Fact]
    public async Task UseSqlite_NewDatabase_TheHostsLoggingHearsTheMigrations()
    {
        var logger = new RecordingLogger();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(logger.ProviderFor(typeof(SqliteStore).FullName!)));
        services.AddBaton(baton => baton.UseSqlite($"Data Source={_db.FilePath}"));
        await using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<BatonEngine>();
        await engine.StartAsync(TestContext.Current.CancellationToken);
        await engine.StopAsync(TestContext.Current.CancellationToken);

        var record = Assert.Single(logger.Records);
        Assert.Equal((LogLevel.Information, 2000), (record.Level, record.EventId));
        Assert.Matches("applied versions 1, 2, 3(, [0-9]+)*, now at version [0-9]+", record.Message);
    }
}
