namespace Baton.Storage.PostgreSql.Internal;

/// <summary>Thrown when a writer's transaction cannot continue (a savepoint could not be rolled back): the whole batch fails.</summary>
internal sealed class WriterBrokenException(string message, Exception inner) : Exception(message, inner);

/// <summary>One writer's connection inside its open transaction, and the effects of the savepoint being run.</summary>
internal sealed class WriteContext
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

    /// <summary>Runs <paramref name="body"/> in its own savepoint: on an exception only its writes and effects are undone.</summary>
    public T InSavepoint<T>(Func<T> body, Effects into)
    {
        var name = "sp" + _depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var outer = Effects;
        Effects = new Effects();
        _depth++;
        Sql.Exec("SAVEPOINT " + name);
        try
        {
            var result = body();
            Sql.Exec("RELEASE SAVEPOINT " + name);
            Effects.MergeInto(into);
            return result;
        }
        catch (Exception ex) when (ex is not WriterBrokenException)
        {
            try
            {
                Sql.Exec("ROLLBACK TO SAVEPOINT " + name);
                Sql.Exec("RELEASE SAVEPOINT " + name);
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
}
