using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// The C library's syncs (Linux, glibc), for the files SQLite writes but the store syncs itself: the write-ahead log
/// (<see cref="WalSync"/>) and the database file after a background checkpoint (<see cref="WalCheckpointer"/>). Where the
/// library is another (musl on Alpine), <see cref="TryOpenSynced"/> finds out and returns null, and the callers leave the
/// syncs to SQLite.
/// </summary>
internal static partial class FileSync
{
    /// <summary><c>fdatasync</c>: the file's data and what is needed to read it back, without its times (cheaper than fsync).</summary>
    public static void DataSync(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            if (FDataSync((int)handle.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>fsync of a directory, which .NET cannot open as a file.</summary>
    public static void SyncDirectory(string path)
    {
        var fd = Open(path, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Opening directory '{path}' to sync it failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        try
        {
            if (FSync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{path}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> to sync it (read-only, sharing everything with SQLite's own handles) and syncs it once;
    /// null where the store cannot sync files itself (not Linux, or a C library without these calls).
    /// </summary>
    public static SafeFileHandle? TryOpenSynced(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        try
        {
            DataSync(file);
            return file;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            file.Dispose();
            return null;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
