using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClaimLedger.Benchmarks;

/// <summary>
/// The load generator's HTTP/1.1 client, in the manner of wrk: one keep-alive connection per worker, a blocking socket on
/// the worker's own thread, the request written in one send, the response read up to its end. The load generator shares
/// the two cores with the API and PostgreSQL, so what it spends is taken from what it measures: .NET's HttpClient cost
/// 0.13–0.15 ms of CPU per request at the submission rate, most of it thread-pool hand-offs and wake-ups (a socket's
/// completion on the event loop, then a pool thread), where a thread blocked in <c>recv</c> is woken by the kernel itself.
/// The requests the API sees are the same: the same method, path, headers and body, on the same kind of connection.
/// </summary>
public sealed class LoopbackClient(Uri baseAddress, string authorization) : IDisposable
{
    private readonly IPEndPoint _endpoint = new(IPAddress.Parse(baseAddress.Host), baseAddress.Port);
    private readonly string _preamble = $"Host: {baseAddress.Authority}\r\nAuthorization: {authorization}\r\nContent-Type: application/json\r\n";
    private readonly Dictionary<int, Connection> _connections = [];

    /// <summary>A response as the load generator needs it: the status, the Location header, and the body only when it is not a success.</summary>
    public readonly record struct Response(int Status, string? Location, string? Problem);

    /// <summary>POSTs <paramref name="json"/> to <paramref name="path"/> on <paramref name="worker"/>'s connection, blocking until the whole response is read.</summary>
    public Response Post(int worker, string path, string json)
    {
        Connection? connection;
        lock (_connections)
            if (!_connections.TryGetValue(worker, out connection))
                _connections[worker] = connection = new Connection(_endpoint);
        var body = Encoding.UTF8.GetBytes(json);
        var head = Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\n{_preamble}Content-Length: {body.Length}\r\n\r\n");
        return connection.Exchange(head, body);
    }

    public void Dispose()
    {
        lock (_connections)
        {
            foreach (var connection in _connections.Values) connection.Dispose();
            _connections.Clear();
        }
    }

    private sealed class Connection(IPEndPoint endpoint) : IDisposable
    {
        private Socket? _socket;
        private byte[] _buffer = new byte[16 * 1024];
        private byte[] _request = new byte[4 * 1024];
        // Bytes received and not yet consumed: _buffer[_start.._end].
        private int _start, _end;

        private long _lastUsed;

        public Response Exchange(byte[] head, byte[] body)
        {
            // The server closes a connection left idle (Kestrel after 130 s; between a run's sections a client's connection
            // can wait longer). A request written into a closed connection would fail, so an idle one is checked first:
            // readable with nothing to read means the server has closed it.
            if (_socket is { } idle && Stopwatch.GetElapsedTime(_lastUsed) > TimeSpan.FromSeconds(1) && idle.Poll(0, SelectMode.SelectRead) && idle.Available == 0)
                Dispose();
            var socket = _socket ??= Connect();
            var length = head.Length + body.Length;
            if (_request.Length < length) _request = new byte[length * 2];
            head.CopyTo(_request, 0);
            body.CopyTo(_request, head.Length);
            try
            {
                for (var sent = 0; sent < length;) sent += socket.Send(_request, sent, length - sent, SocketFlags.None);
                return Read();
            }
            catch
            {
                // A connection whose request or response did not go through whole cannot carry the next request.
                Dispose();
                throw;
            }
            finally
            {
                _lastUsed = Stopwatch.GetTimestamp();
            }
        }

        private Socket Connect()
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30_000, SendTimeout = 30_000 };
            socket.Connect(endpoint);
            _start = _end = 0;
            return socket;
        }

        private Response Read()
        {
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0) Receive();
            var head = _buffer.AsSpan(_start, headerEnd);
            _start += headerEnd + 4;

            var lineEnd = head.IndexOf("\r\n"u8);
            var statusLine = lineEnd < 0 ? head : head[..lineEnd];
            // "HTTP/1.1 201 Created"
            if (statusLine.Length < 12 || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
                throw new InvalidDataException($"Not an HTTP/1.1 status line: {Encoding.ASCII.GetString(statusLine)}");
            long contentLength = -1;
            var chunked = false;
            var close = false;
            string? location = null;
            var headers = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
            while (!headers.IsEmpty)
            {
                var end = headers.IndexOf("\r\n"u8);
                var line = end < 0 ? headers : headers[..end];
                headers = end < 0 ? [] : headers[(end + 2)..];
                var colon = line.IndexOf((byte)':');
                if (colon < 0) continue;
                var name = line[..colon];
                var value = line[(colon + 1)..].Trim((byte)' ');
                if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8)) Utf8Parser.TryParse(value, out contentLength, out _);
                else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8)) chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
                else if (Ascii.EqualsIgnoreCase(name, "Location"u8)) location = Encoding.ASCII.GetString(value);
                else if (Ascii.EqualsIgnoreCase(name, "Connection"u8)) close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }

            var success = status is >= 200 and < 300;
            var problem = success ? null : new MemoryStream();
            if (chunked) ReadChunked(problem);
            else if (contentLength > 0) ReadExactly(contentLength, problem);
            else if (contentLength < 0 && status is not (204 or 304) and >= 200) { ReadToClose(problem); close = true; }
            if (close) Dispose();
            return new Response(status, location, problem is null ? null : Encoding.UTF8.GetString(problem.ToArray()));
        }

        private void ReadChunked(MemoryStream? into)
        {
            while (true)
            {
                var size = ReadLine();
                var extension = size.IndexOf(';');
                if (!long.TryParse(extension < 0 ? size : size[..extension], System.Globalization.NumberStyles.HexNumber, null, out var length))
                    throw new InvalidDataException($"Not a chunk size: {size}");
                if (length == 0)
                {
                    // Trailers, if any, end with an empty line.
                    while (ReadLine().Length > 0) { }
                    return;
                }
                ReadExactly(length, into);
                if (ReadLine().Length != 0) throw new InvalidDataException("A chunk did not end with CRLF.");
            }
        }

        private string ReadLine()
        {
            int end;
            while ((end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0) Receive();
            var line = Encoding.ASCII.GetString(_buffer, _start, end);
            _start += end + 2;
            return line;
        }

        private void ReadExactly(long length, MemoryStream? into)
        {
            while (length > 0)
            {
                if (_start == _end) Receive();
                var take = (int)Math.Min(length, _end - _start);
                into?.Write(_buffer, _start, take);
                _start += take;
                length -= take;
            }
        }

        private void ReadToClose(MemoryStream? into)
        {
            while (true)
            {
                into?.Write(_buffer, _start, _end - _start);
                _start = _end = 0;
                var read = _socket!.Receive(_buffer);
                if (read == 0) return;
                _end = read;
            }
        }

        /// <summary>Receives more bytes after the unconsumed ones; a connection closed before the response ended is an error.</summary>
        private void Receive()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var read = _socket!.Receive(_buffer, _end, _buffer.Length - _end, SocketFlags.None);
            if (read == 0) throw new IOException("The API closed the connection before its response ended.");
            _end += read;
        }

        public void Dispose()
        {
            _socket?.Dispose();
            _socket = null;
            _start = _end = 0;
        }
    }
}
