using System.Runtime.InteropServices;
using System.Text;
using SQLitePCL;

namespace Baton.Storage.Sqlite.Internal;

/// <summary>
/// The SQLite functions the store calls for every value and every run of a statement (bind, step, read a column, reset),
/// declared directly against the <c>e_sqlite3</c> library that SQLitePCLRaw loads, with the statement as its raw pointer.
/// SQLitePCLRaw's own declarations take the statement as a <see cref="SafeHandle"/>: each call adds and releases a reference
/// and goes through the provider's interface, about 7% of the writer's CPU in the in-process DRT (<c>perf</c>,
/// <c>bench/RESULTS.md</c>, push 11). The store owns its prepared statements and keeps them alive while it uses them
/// (<see cref="NativeSql"/> finalizes them only when it is disposed), so the pointer needs no reference counting.
/// </summary>
/// <remarks>
/// The functions that only read a value or bind a number skip the GC transition: they neither block, nor call back into
/// managed code, nor run long. Each takes its connection's mutex, which only the one thread using that connection ever holds
/// (the store never shares a connection between threads at once), so the mutex is always free. Step, reset and text binding
/// (which copies the text, of any size) keep the transition. Prepare, errors and everything else still go through SQLitePCLRaw.
/// </remarks>
internal static unsafe partial class SqliteCalls
{
    /// <summary>The library SQLitePCLRaw must have loaded for these declarations to reach the same SQLite.</summary>
    public const string Library = "e_sqlite3";

    /// <summary>SQLite copies a bound text or blob before the call returns (<c>SQLITE_TRANSIENT</c>).</summary>
    private static readonly nint Transient = -1;

    /// <summary>A valid pointer for an empty text, allocated once for the process.</summary>
    private static readonly byte* EmptyText = (byte*)NativeMemory.AllocZeroed(1);

    /// <summary>
    /// Throws unless SQLitePCLRaw runs on <see cref="Library"/> (the provider of Microsoft.Data.Sqlite's bundle): another
    /// provider (SQLCipher, the system's <c>sqlite3</c>) would be a different library whose statements these calls must not touch.
    /// </summary>
    public static void CheckProvider()
    {
        var name = raw.GetNativeLibraryName();
        if (!string.Equals(name, Library, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The Baton SQLite store needs SQLitePCLRaw's '{Library}' provider (Microsoft.Data.Sqlite's default); this process uses '{name}'.");
        }
    }

    /// <summary>The statement's pointer, for the calls below.</summary>
    public static nint Pointer(sqlite3_stmt statement) => statement.DangerousGetHandle();

    public static string? Text(nint statement, int column)
    {
        // The text first, then its length in bytes, as SQLite documents.
        var text = sqlite3_column_text(statement, column);
        return text is null ? null : Encoding.UTF8.GetString(text, sqlite3_column_bytes(statement, column));
    }

    public static string? ColumnName(nint statement, int column) => Marshal.PtrToStringUTF8((nint)sqlite3_column_name(statement, column));

    public static string? DeclaredType(nint statement, int column) => Marshal.PtrToStringUTF8((nint)sqlite3_column_decltype(statement, column));

    public static ReadOnlySpan<byte> Blob(nint statement, int column)
    {
        var blob = sqlite3_column_blob(statement, column);
        return blob is null ? [] : new ReadOnlySpan<byte>(blob, sqlite3_column_bytes(statement, column));
    }

    public static int BindText(nint statement, int index, ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            // An empty span pins to a null pointer, which would bind NULL instead of an empty text.
            return sqlite3_bind_text(statement, index, EmptyText, 0, Transient);
        }
        fixed (byte* bytes = utf8)
        {
            return sqlite3_bind_text(statement, index, bytes, utf8.Length, Transient);
        }
    }

    public static int BindBlob(nint statement, int index, ReadOnlySpan<byte> blob)
    {
        if (blob.IsEmpty)
        {
            return sqlite3_bind_zeroblob(statement, index, 0);
        }
        fixed (byte* bytes = blob)
        {
            return sqlite3_bind_blob(statement, index, bytes, blob.Length, Transient);
        }
    }

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_column_count(nint statement);

    [LibraryImport(Library)]
    private static partial byte* sqlite3_column_name(nint statement, int column);

    [LibraryImport(Library)]
    private static partial byte* sqlite3_column_decltype(nint statement, int column);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_column_type(nint statement, int column);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial long sqlite3_column_int64(nint statement, int column);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial double sqlite3_column_double(nint statement, int column);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial byte* sqlite3_column_text(nint statement, int column);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial byte* sqlite3_column_blob(nint statement, int column);

    [LibraryImport(Library), SuppressGCTransition]
    private static partial int sqlite3_column_bytes(nint statement, int column);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_bind_int64(nint statement, int index, long value);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_bind_double(nint statement, int index, double value);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_bind_null(nint statement, int index);

    [LibraryImport(Library)]
    private static partial int sqlite3_bind_text(nint statement, int index, byte* text, int bytes, nint destructor);

    [LibraryImport(Library)]
    private static partial int sqlite3_bind_blob(nint statement, int index, byte* blob, int bytes, nint destructor);

    [LibraryImport(Library)]
    private static partial int sqlite3_bind_zeroblob(nint statement, int index, int bytes);

    [LibraryImport(Library), SuppressGCTransition]
    public static partial int sqlite3_changes(nint db);

    [LibraryImport(Library)]
    public static partial int sqlite3_step(nint statement);

    [LibraryImport(Library)]
    public static partial int sqlite3_reset(nint statement);
}
