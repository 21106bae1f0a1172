namespace Baton.Storage.Relational;

/// <summary>Thrown when a writer's transaction cannot continue (a savepoint could not be rolled back): the whole batch fails.</summary>
internal sealed class WriterBrokenException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Thrown when an operation fails in a batch run without savepoints: nothing of the batch may commit; the store rolls back
/// and runs it again isolated, where the failure reaches only its own caller.
/// </summary>
internal sealed class BatchNeedsIsolationException(Exception inner)
    : Exception("An operation failed in a batch run without savepoints; the batch runs again isolated.", inner);

/// <summary>
/// A writer's connection inside its open transaction, and the effects of the savepoint being run. Every write of the shared
/// store logic takes one (see <see cref="Mutations"/>).
/// </summary>
internal sealed class WriteContext : IDisposable
{
    private int _depth;

    public WriteContext(Sql sql)
    {
        Sql = sql;
        Effects = new Effects();
    }

    /// <summary>Commands on the write connection, inside the batch's transaction.</summary>
    public Sql Sql { get; }

    /// <summary>Effects of the innermost savepoint; merged outward when it is released.</summary>
    public Effects Effects { get; private set; }

    /// <summary>
    /// Whether <see cref="InSavepoint{T}"/> really opens savepoints. A batch first runs without them (two statements fewer
    /// per operation and per element); only when something in it throws is it rolled back and run again isolated, so that
    /// the failure is confined to its own operation or element (see <see cref="WriteQueue.RunEach"/>).
    /// </summary>
    public bool Isolated { get; set; } = true;

    /// <summary>
    /// Runs <paramref name="body"/> in its own savepoint: on an exception only its writes and effects are undone. When not
    /// <see cref="Isolated"/>, no savepoint is opened: an exception then aborts the whole batch.
    /// </summary>
    public T InSavepoint<T>(Func<T> body, Effects into)
    {
        var outer = Effects;
        Effects = new Effects();
        if (!Isolated)
        {
            try
            {
                var result = body();
                Effects.MergeInto(into);
                return result;
            }
            finally
            {
                Effects = outer;
            }
        }
        var savepoint = Savepoint.At(_depth);
        _depth++;
        Sql.Exec(savepoint.Begin);
        try
        {
            var result = body();
            Sql.Exec(savepoint.Release);
            Effects.MergeInto(into);
            return result;
        }
        catch (Exception ex) when (ex is not WriterBrokenException)
        {
            try
            {
                Sql.Discard();
                Sql.Exec(savepoint.RollBack);
                Sql.Exec(savepoint.Release);
            }
            catch (Exception rollback)
            {
                throw new WriterBrokenException("The write transaction could not be rolled back to a savepoint.", rollback);
            }
            throw;
        }
        finally
        {
            _depth--;
            Effects = outer;
        }
    }

    /// <summary>Runs one element of a multi-element operation in a nested savepoint.</summary>
    public T Element<T>(Func<T> body) => InSavepoint(body, Effects);

    public void Dispose() => Sql.Dispose();
}

/// <summary>The statements of the savepoint at one nesting depth, built once (both engines accept this syntax).</summary>
internal sealed class Savepoint
{
    private static Savepoint[] s_depths = [];

    private Savepoint(int depth)
    {
        var name = "sp" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Begin = "SAVEPOINT " + name;
        Release = "RELEASE SAVEPOINT " + name;
        RollBack = "ROLLBACK TO SAVEPOINT " + name;
    }

    public string Begin { get; }

    public string Release { get; }

    public string RollBack { get; }

    public static Savepoint At(int depth)
    {
        var depths = Volatile.Read(ref s_depths);
        if (depth < depths.Length)
        {
            return depths[depth];
        }
        var grown = new Savepoint[depth + 1];
        depths.CopyTo(grown, 0);
        for (var i = depths.Length; i < grown.Length; i++)
        {
            grown[i] = new Savepoint(i);
        }
        Volatile.Write(ref s_depths, grown);
        return grown[depth];
    }
}
