using Npgsql;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>Recognises errors that mean a connection is gone (server restart, administrator shutdown, network), and write conflicts.</summary>
internal static class ConnectionErrors
{
    /// <summary>
    /// A deadlock (<c>40P01</c>) or serialization failure (<c>40001</c>): the server aborted this transaction so that another
    /// can go on. Nothing of it is committed, so the whole batch can run again.
    /// </summary>
    public static bool IsWriteConflict(Exception ex) => ex is PostgresException { SqlState: "40P01" or "40001" };

    public static bool IsConnectionLost(Exception ex) =>
        ex is PostgresException { SqlState: "57P01" or "57P02" or "57P03" or "08000" or "08003" or "08006" }
        || (ex is NpgsqlException { IsTransient: true } and not PostgresException)
        || (ex is NpgsqlException && ex.InnerException is IOException or System.Net.Sockets.SocketException)
        || (ex is InvalidOperationException && ex.Message.Contains("connection", StringComparison.OrdinalIgnoreCase));
}
