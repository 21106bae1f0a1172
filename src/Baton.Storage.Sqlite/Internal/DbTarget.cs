using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>What the connection string points at: a file (WAL, lock file) or a shared in-memory database.</summary>
internal sealed class DbTarget
{
    private DbTarget(string connectionString, string? filePath)
    {
        ConnectionString = connectionString;
        FilePath = filePath;
    }

    /// <summary>The connection string to open, with the library's pooling off (the store pools itself).</summary>
    public string ConnectionString { get; }

    /// <summary>Full path of the database file, or null for an in-memory database.</summary>
    public string? FilePath { get; }

    public bool IsMemory => FilePath is null;

    public static DbTarget From(SqliteStoreOptions options)
    {
        var builder = new SqliteConnectionStringBuilder(options.ConnectionString) { Pooling = false };
        var source = builder.DataSource;
        var memory = builder.Mode == SqliteOpenMode.Memory
            || (source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && source.Contains("mode=memory", StringComparison.OrdinalIgnoreCase));
        string? path = null;
        if (!memory)
        {
            var file = source.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? FileUriPath(source) : source;
            path = Path.GetFullPath(file);
        }
        return new DbTarget(builder.ToString(), path);
    }

    private static string FileUriPath(string uri)
    {
        var rest = uri["file:".Length..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            rest = rest[..query];
        }
        if (rest.StartsWith("///", StringComparison.Ordinal))
        {
            rest = rest[2..];
        }
        return Uri.UnescapeDataString(rest);
    }
}
