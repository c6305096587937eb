using System.Net;
using System.Net.Sockets;

namespace ClaimLedger.IntegrationTests.Support;

/// <summary>A loopback TCP relay to PostgreSQL that a test can cut and restore: the database "goes away" for the API only.</summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private TcpListener? _listener;
    private readonly List<TcpClient> _open = [];
    private CancellationTokenSource _cts = new();
    public int Port { get; }

    public TcpProxy(string host, int targetPort)
    {
        _target = new IPEndPoint(IPAddress.Parse(host), targetPort);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Start();
    }

    public void Start()
    {
        _cts = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _cts.Token);
    }

    /// <summary>Refuses new connections and cuts the open ones.</summary>
    public void Stop()
    {
        _cts.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var c in _open) c.Dispose();
            _open.Clear();
        }
    }

    private volatile string? _cutMarker;

    /// <summary>
    /// The connection that sends <paramref name="marker"/> (a value of the write a test makes) is cut as soon as it has
    /// passed on the COMMIT that follows: PostgreSQL runs it (the bytes before the end of the stream are still read), and
    /// its answer never reaches the client. Once.
    /// </summary>
    public void CutAtTheCommitAfter(string marker) => _cutMarker = marker;

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(ct); }
            catch { return; }
            var upstream = new TcpClient();
            try { await upstream.ConnectAsync(_target, ct); }
            catch { client.Dispose(); continue; }
            lock (_open) { _open.Add(client); _open.Add(upstream); }
            _ = PumpRequests(client.GetStream(), upstream.GetStream(), client, upstream, ct);
            _ = Pump(upstream.GetStream(), client.GetStream(), client, upstream, ct);
        }
    }

    private static async Task Pump(Stream from, Stream to, TcpClient a, TcpClient b, CancellationToken ct)
    {
        try { await from.CopyToAsync(to, ct); }
        catch { /* cut */ }
        a.Dispose();
        b.Dispose();
    }

    private async Task PumpRequests(Stream from, Stream to, TcpClient a, TcpClient b, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        var marked = false;
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, ct)) > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
                if (_cutMarker is not { } marker) continue;
                var sent = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
                marked |= sent.Contains(marker, StringComparison.Ordinal);
                if (marked && sent.Contains("commit", StringComparison.OrdinalIgnoreCase) &&
                    Interlocked.CompareExchange(ref _cutMarker, null, marker) == marker)
                    break;
            }
        }
        catch { /* cut */ }
        a.Dispose();
        b.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
