namespace Baton.Storage.Sqlite.Internal;

/// <summary>An exclusive OS lock on <c>&lt;dbfile&gt;.lock</c>, so that two stores never share one database file.</summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    public string Path { get; }

    public static FileLock Acquire(string databasePath)
    {
        var path = databasePath + ".lock";
        try
        {
            var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            return new FileLock(stream, path);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The Baton database '{databasePath}' is already in use by another store (its lock file '{path}' is held). " +
                "Two engines must never share one SQLite file: stop the other one or use another file.",
                ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
