using System.Diagnostics;
using Baton.Engine.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Baton.Storage.PostgreSql.Internal;

/// <summary>
/// Holds one unpooled connection that <c>LISTEN</c>s on the store's channel and raises the local <see cref="StoreSignals"/> for
/// notifications sent by other store instances. When the connection breaks it reconnects with backoff, then raises every
/// signal and says that finish notices may have been lost (notifications sent meanwhile are; the engine's slow poll covers
/// them too). The break is logged once, with its cause, and the reconnection once: meanwhile this node hears of other nodes'
/// work only by polling, which operators should know.
/// </summary>
internal sealed partial class Listener : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly StoreSignals _signals;
    private readonly string _channel;
    private readonly string _senderId;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public Listener(NpgsqlDataSource dataSource, StoreSignals signals, string channel, string senderId, ILogger logger)
    {
        _dataSource = dataSource;
        _signals = signals;
        _channel = channel;
        _senderId = senderId;
        _logger = logger;
    }

    /// <summary>Connects and listens; throws when the first connection fails.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(() => RunAsync(connection));
    }

    private async Task<NpgsqlConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            connection.Notification += OnNotification;
            await using var cmd = new NpgsqlCommand("LISTEN " + QuoteIdentifier(_channel), connection);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunAsync(NpgsqlConnection connection)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await connection.WaitAsync(_stop.Token).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(100);
                continue;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A broken listener reconnects; signals are hints and the engine polls slowly anyway.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogListenerBroken(e, _channel);
            }
            await connection.DisposeAsync().ConfigureAwait(false);
            var broken = Stopwatch.StartNew();
            for (var attempts = 1; !_stop.IsCancellationRequested; attempts++)
            {
                try
                {
                    await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                    connection = await ConnectAsync(_stop.Token).ConfigureAwait(false);
                    LogListening(_channel, attempts, broken.Elapsed.TotalSeconds);
                    _signals.NotifyWorkflowsReady();
                    _signals.NotifyTasksReady();
                    _signals.NotifyTimersChanged();
                    _signals.NotifyFinishNoticesMayBeLost();
                    break;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Keep trying until the server is back or the store is disposed.
                catch (Exception)
#pragma warning restore CA1031
                {
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 5000));
                }
            }
        }
        await connection.DisposeAsync().ConfigureAwait(false);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!string.Equals(e.Channel, _channel, StringComparison.Ordinal) || Notifications.Parse(e.Payload) is not { } parsed)
        {
            return;
        }
        if (!string.Equals(parsed.SenderId, _senderId, StringComparison.Ordinal))
        {
            parsed.Effects.Raise(_signals);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "The PostgreSQL connection listening for other nodes' notifications on channel {Channel} broke; reconnecting with backoff (meanwhile this node finds their work by polling)")]
    private partial void LogListenerBroken(Exception exception, string channel);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information,
        Message = "Listening on channel {Channel} again, after {Attempts} connection attempts over {Seconds:0.0} s")]
    private partial void LogListening(string channel, int attempts, double seconds);

    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
