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
            _ = Pump(client.GetStream(), upstream.GetStream(), client, upstream, ct);
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

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }
}
