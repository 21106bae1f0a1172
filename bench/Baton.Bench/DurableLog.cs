using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Baton.Bench;

/// <summary>
/// The least a durable answer can cost on this machine: each record is written into a preallocated file, and its caller is
/// answered once an <c>fdatasync</c> that began after the write has ended. One thread syncs, and one sync covers every record
/// written before it began (group commit, as the SQLite store's WAL sync does). No pages, no indexes, no checkpoints: what
/// is left is the disk's flush and the threads that wait for it.
/// </summary>
internal sealed partial class DurableLog : IDisposable
{
    /// <summary>Written once with zeros and synced, then reused from its start: no write changes the file's size, as SQLite's restarted log does not.</summary>
    private const long Size = 64L << 20;

    private readonly object _gate = new();
    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly Thread _thread;
    private List<TaskCompletionSource> _pending = [];
    private long _offset;
    private bool _stopping;

    public DurableLog(string path)
    {
        _path = path;
        _file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        var zeros = new byte[1 << 20];
        for (long at = 0; at < Size; at += zeros.Length) RandomAccess.Write(_file, zeros, at);
        RandomAccess.FlushToDisk(_file);
        _thread = new Thread(Run) { IsBackground = true, Name = "bench durable log sync" };
        _thread.Start();
    }

    /// <summary>Writes <paramref name="record"/>; completes once it is on disk.</summary>
    public Task AppendAsync(ReadOnlySpan<byte> record)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_offset + record.Length > Size) _offset = 0;
            RandomAccess.Write(_file, record, _offset);
            _offset += record.Length;
            _pending.Add(done);
            Monitor.Pulse(_gate);
        }
        return done.Task;
    }

    private void Run()
    {
        while (true)
        {
            List<TaskCompletionSource> durable;
            lock (_gate)
            {
                while (_pending.Count == 0 && !_stopping) Monitor.Wait(_gate);
                if (_pending.Count == 0) return;
                durable = _pending;
                _pending = [];
            }
            if (DataSync(_file.DangerousGetHandle().ToInt32()) != 0)
            {
                var error = new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
                foreach (var done in durable) done.TrySetException(error);
                continue;
            }
            foreach (var done in durable) done.TrySetResult();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        _thread.Join();
        _file.Dispose();
        File.Delete(_path);
    }

    [LibraryImport("libc.so.6", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int DataSync(int fd);
}
