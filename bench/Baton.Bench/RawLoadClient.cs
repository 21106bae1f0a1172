using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;

namespace Baton.Bench;

/// <summary>
/// A lean HTTP/1.1 load generator for the completion endpoint (<c>completion-load --client raw</c>): plain keep-alive
/// sockets, the request's bytes written by the caller's thread (the pacer), and one thread per connection blocked in
/// <c>recv</c> that parses the answer and completes its task on the spot. The default <see cref="CompletionClient"/> goes
/// through <see cref="HttpClient"/>, whose sends and answers hop between the thread pool and the socket engine's event
/// thread. This one takes the load generator's own machinery out of the question: push 22 measured both against the same
/// server (bench/RESULTS.md).
/// </summary>
internal sealed class RawLoadClient : ICompletionSender
{
    private readonly DnsEndPoint _server;
    private readonly string _requestHead;
    private readonly string _headers;
    private readonly int _limit;
    private readonly ConcurrentStack<Connection> _idle = new();
    private readonly ConcurrentQueue<Exchange> _waiting = new();
    private readonly ConcurrentDictionary<Connection, bool> _all = new();
    private int _open;
    private volatile bool _disposed;

    /// <param name="baseUrl">The server's address (loopback).</param>
    /// <param name="apiKey">Sent as the bearer token of every request.</param>
    /// <param name="connections">Connections at most; a request that finds them all busy waits for the first one free.</param>
    /// <param name="prefix">Where the completion route starts (see <see cref="CompletionClient"/>).</param>
    public RawLoadClient(Uri baseUrl, string apiKey, int connections, string prefix)
    {
        _server = new DnsEndPoint(baseUrl.Host, baseUrl.Port);
        _limit = connections;
        _requestHead = "POST " + baseUrl.AbsolutePath.TrimEnd('/') + prefix + "/";
        _headers = " HTTP/1.1\r\nHost: " + baseUrl.Authority + "\r\nAuthorization: Bearer " + apiKey +
            "\r\nContent-Type: application/json\r\nContent-Length: ";
    }

    /// <inheritdoc/>
    public Task<HttpStatusCode> CompleteAsync(string service, string taskId, int n)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var body = "{\"result\":{\"approved\":true,\"n\":" + n.ToString(CultureInfo.InvariantCulture) + "}}";
        var exchange = new Exchange(Encoding.UTF8.GetBytes(
            _requestHead + service + "/" + taskId + "/complete" + _headers + Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture) + "\r\n\r\n" + body));
        if (_idle.TryPop(out var connection))
        {
            connection.Send(exchange);
        }
        else if (Interlocked.Increment(ref _open) <= _limit)
        {
            try
            {
                Open().Send(exchange);
            }
            catch (SocketException e)
            {
                exchange.Answer.TrySetException(new HttpRequestException("connecting failed", e));
            }
        }
        else
        {
            Interlocked.Decrement(ref _open);
            _waiting.Enqueue(exchange);
            // A connection may have gone idle between the pop above and the enqueue: it would not look at the queue again.
            if (_idle.TryPop(out connection)) connection.Next();
        }
        return exchange.Answer.Task;
    }

    private Connection Open()
    {
        try
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            socket.Connect(_server);
            var connection = new Connection(this, socket);
            _all[connection] = true;
            connection.Start();
            return connection;
        }
        catch
        {
            Interlocked.Decrement(ref _open);
            throw;
        }
    }

    /// <summary>A connection whose exchange ended: it takes the next waiting request, or goes idle.</summary>
    private void Free(Connection connection)
    {
        if (_waiting.TryDequeue(out var next))
        {
            connection.Send(next);
            return;
        }
        _idle.Push(connection);
        // A request may have been queued between the dequeue above and the push: the sender saw no idle connection.
        if (!_waiting.IsEmpty && _idle.TryPop(out var any)) any.Next();
    }

    private void Closed(Connection connection)
    {
        _all.TryRemove(connection, out _);
        Interlocked.Decrement(ref _open);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var connection in _all.Keys) connection.Close();
        while (_waiting.TryDequeue(out var left)) left.Answer.TrySetException(new ObjectDisposedException(nameof(RawLoadClient)));
    }

    /// <summary>One request and the task its status code completes. Continuations run inline on the connection's thread.</summary>
    private sealed class Exchange(byte[] request)
    {
        public byte[] Request { get; } = request;

        public TaskCompletionSource<HttpStatusCode> Answer { get; } = new();
    }

    /// <summary>A keep-alive socket and the thread that reads its answers, one exchange at a time.</summary>
    private sealed class Connection(RawLoadClient owner, Socket socket)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private Exchange? _current;
        private int _failed;

        public void Start() => new Thread(Receive, 256 * 1024) { IsBackground = true, Name = "bench-connection" }.Start();

        /// <summary>Sends the next waiting request, if one is still waiting; otherwise goes back to idle.</summary>
        public void Next()
        {
            if (owner._waiting.TryDequeue(out var next)) Send(next);
            else owner._idle.Push(this);
        }

        public void Send(Exchange exchange)
        {
            Volatile.Write(ref _current, exchange);
            try
            {
                socket.Send(exchange.Request);
            }
            catch (SocketException e)
            {
                Fail(new HttpRequestException("sending failed", e));
            }
        }

        public void Close() => socket.Close();

        private void Receive()
        {
            try
            {
                while (true)
                {
                    var status = ReadResponse(out var keepAlive);
                    var exchange = Interlocked.Exchange(ref _current, null)
                        ?? throw new HttpRequestException("an answer came without a request");
                    if (keepAlive) owner.Free(this);
                    exchange.Answer.TrySetResult(status);
                    if (!keepAlive) throw new HttpRequestException("the server closed the connection");
                }
            }
            catch (Exception e) when (e is HttpRequestException or SocketException or ObjectDisposedException)
            {
                Fail(e as HttpRequestException ?? new HttpRequestException("the connection failed", e));
            }
        }

        private void Fail(HttpRequestException error)
        {
            if (Interlocked.Exchange(ref _failed, 1) == 1) return; // the sender and the reader may both see the failure
            socket.Close();
            if (Interlocked.Exchange(ref _current, null) is { } exchange) exchange.Answer.TrySetException(error);
            owner.Closed(this);
        }

        /// <summary>Reads one whole answer (status line, headers, a body sized by Content-Length or chunked); returns its status.</summary>
        private HttpStatusCode ReadResponse(out bool keepAlive)
        {
            var filled = 0;
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0) filled = Fill(filled);
            var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd);
            if (head.Length < 12 || !head.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ||
                !int.TryParse(head.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
                throw new HttpRequestException($"not an HTTP/1.1 answer: '{head[..Math.Min(head.Length, 40)]}'");
            long? length = null;
            var chunked = false;
            keepAlive = true;
            foreach (var line in head.Split("\r\n").Skip(1))
            {
                var colon = line.IndexOf(':');
                if (colon < 0) continue;
                var name = line.AsSpan(0, colon).Trim();
                var value = line.AsSpan(colon + 1).Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = long.Parse(value, CultureInfo.InvariantCulture);
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) keepAlive = !value.Equals("close", StringComparison.OrdinalIgnoreCase);
            }
            var at = headerEnd + 4;
            if (chunked)
            {
                while (true)
                {
                    int lineEnd;
                    while ((lineEnd = _buffer.AsSpan(at, filled - at).IndexOf("\r\n"u8)) < 0) filled = Fill(filled);
                    var sizeText = Encoding.ASCII.GetString(_buffer, at, lineEnd).Split(';')[0];
                    var size = int.Parse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    at += lineEnd + 2;
                    // The chunk's data and its CRLF; the last chunk (size 0) is followed by the empty trailer line.
                    while (filled < at + size + 2) filled = Fill(filled);
                    at += size + 2;
                    if (size == 0) break;
                }
            }
            else
            {
                var end = at + (length ?? 0);
                if (end > _buffer.Length) throw new HttpRequestException($"an answer of {end} bytes is larger than the client reads");
                while (filled < end) filled = Fill(filled);
                at = (int)end;
            }
            if (filled != at) throw new HttpRequestException("more bytes came than one answer holds");
            return (HttpStatusCode)status;
        }

        private int Fill(int filled)
        {
            if (filled == _buffer.Length) throw new HttpRequestException("an answer is larger than the client reads");
            var read = socket.Receive(_buffer, filled, _buffer.Length - filled, SocketFlags.None);
            if (read == 0) throw new HttpRequestException("the server closed the connection");
            return filled + read;
        }
    }
}
