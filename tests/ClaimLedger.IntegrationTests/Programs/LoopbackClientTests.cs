using System.Net;
using System.Net.Sockets;
using System.Text;
using ClaimLedger.Benchmarks;

namespace ClaimLedger.IntegrationTests.Programs;

/// <summary>
/// The benchmark's load generator reads HTTP/1.1 itself, so each way a response can be framed is checked against a
/// server that answers with canned bytes: a misread response would count a failure as a submission or hang a window.
/// </summary>
public sealed class LoopbackClientTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<string> _requests = [];
    private int _connections;

    public LoopbackClientTests() => _listener.Start();

    public void Dispose() => _listener.Stop();

    private Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    private LoopbackClient Client() => new(Address, "Bearer k");

    /// <summary>Serves each connection on its own thread: reads one request (headers and Content-Length body), writes the next answer's pieces.</summary>
    private void Serve(params (string[] Pieces, bool Close)[] answers)
    {
        var next = 0;
        new Thread(() =>
        {
            try
            {
                while (next < answers.Length)
                {
                    using var socket = _listener.AcceptSocket();
                    Interlocked.Increment(ref _connections);
                    using var stream = new NetworkStream(socket);
                    while (next < answers.Length)
                    {
                        var request = ReadRequest(stream);
                        if (request is null) break;
                        lock (_requests) _requests.Add(request);
                        var (pieces, close) = answers[next++];
                        foreach (var piece in pieces)
                        {
                            stream.Write(Encoding.UTF8.GetBytes(piece));
                            stream.Flush();
                            Thread.Sleep(5);
                        }
                        if (close) break;
                    }
                }
            }
            catch (Exception) when (!_listener.Server.IsBound) { }
        }) { IsBackground = true }.Start();
    }

    private static string? ReadRequest(Stream stream)
    {
        var bytes = new List<byte>();
        while (!EndsWithBlankLine(bytes))
        {
            var b = stream.ReadByte();
            if (b < 0) return null;
            bytes.Add((byte)b);
        }
        var head = Encoding.ASCII.GetString(bytes.ToArray());
        var length = int.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:")).Split(':')[1]);
        var body = new byte[length];
        stream.ReadExactly(body);
        return head + Encoding.UTF8.GetString(body);
    }

    /// <summary>The API's answer to a submission it stored: 201, the new claim's Location, no body.</summary>
    private static string Created(string location) => $"HTTP/1.1 201 Created\r\nContent-Length: 0\r\nLocation: {location}\r\n\r\n";

    private static bool EndsWithBlankLine(List<byte> b) =>
        b.Count >= 4 && b[^4] == '\r' && b[^3] == '\n' && b[^2] == '\r' && b[^1] == '\n';

    [Fact]
    public void A_request_is_sent_whole_and_a_created_answer_gives_its_status_and_location()
    {
        Serve((["HTTP/1.1 201 Created\r\nContent-Length: 11\r\nlocation: /api/claims/42\r\n\r\n{\"id\":\"42\"}"], false));
        using var client = Client();

        var response = client.Post(0, "/api/claims", "{\"quote\":\"242 morts à Alep\"}");

        response.ShouldBe(new LoopbackClient.Response(201, "/api/claims/42", null));
        _requests.Single().ShouldBe(
            $"POST /api/claims HTTP/1.1\r\nHost: {Address.Authority}\r\nAuthorization: Bearer k\r\nContent-Type: application/json\r\n" +
            "Content-Length: 29\r\n\r\n{\"quote\":\"242 morts à Alep\"}");
    }

    [Fact]
    public void A_chunked_refusal_arriving_in_pieces_gives_its_whole_body_and_the_connection_carries_the_next_request()
    {
        Serve(
            (["HTTP/1.1 400 Bad Request\r\nContent-Type: application/problem+json\r\nTransfer-", "Encoding: chunked\r\n\r\n8\r\n{\"tit", "le\"\r\n5;x=1\r\n:\"no\"\r\n1\r\n}\r\n0\r\n\r\n"], false),
            ([Created("/api/claims/7")], false));
        using var client = Client();

        client.Post(0, "/api/claims", "{}").ShouldBe(new LoopbackClient.Response(400, null, "{\"title\":\"no\"}"));
        client.Post(0, "/api/claims", "{}").ShouldBe(new LoopbackClient.Response(201, "/api/claims/7", null));
        _connections.ShouldBe(1);
    }

    [Fact]
    public void An_answer_that_closes_its_connection_is_read_and_the_next_request_opens_a_new_one()
    {
        Serve(
            (["HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy"], true),
            ([Created("/api/claims/8")], false));
        using var client = Client();

        client.Post(3, "/api/claims", "{}").ShouldBe(new LoopbackClient.Response(503, null, "busy"));
        client.Post(3, "/api/claims", "{}").ShouldBe(new LoopbackClient.Response(201, "/api/claims/8", null));
        _connections.ShouldBe(2);
    }

    [Fact]
    public void A_connection_closed_before_the_body_ends_is_an_error_and_the_next_request_opens_a_new_one()
    {
        Serve(
            (["HTTP/1.1 201 Created\r\nContent-Length: 100\r\nLocation: /api/claims/9\r\n\r\n{\"id\""], true),
            ([Created("/api/claims/10")], false));
        using var client = Client();

        Should.Throw<IOException>(() => client.Post(0, "/api/claims", "{}"));
        client.Post(0, "/api/claims", "{}").ShouldBe(new LoopbackClient.Response(201, "/api/claims/10", null));
        _connections.ShouldBe(2);
    }

    [Fact]
    public void A_connection_the_server_closed_while_it_was_idle_is_replaced_before_the_next_request()
    {
        // The first answer does not say it closes: the server closes the connection afterwards, as Kestrel does with an idle one.
        Serve(
            ([Created("/api/claims/11")], true),
            ([Created("/api/claims/12")], false));
        using var client = Client();

        client.Post(0, "/api/claims", "{}").Location.ShouldBe("/api/claims/11");
        Thread.Sleep(1_200);
        client.Post(0, "/api/claims", "{}").ShouldBe(new LoopbackClient.Response(201, "/api/claims/12", null));
        _connections.ShouldBe(2);
        _requests.Count.ShouldBe(2);
    }

    [Fact]
    public void A_line_that_is_not_an_http_status_line_is_an_error()
    {
        Serve((["SSH-2.0-OpenSSH\r\n\r\n"], true));
        using var client = Client();

        Should.Throw<InvalidDataException>(() => client.Post(0, "/api/claims", "{}")).Message.ShouldContain("SSH-2.0-OpenSSH");
    }

    [Fact]
    public void Each_worker_has_a_connection_of_its_own()
    {
        Serve(
            ([Created("/a")], true),
            ([Created("/b")], false));
        using var client = Client();

        client.Post(0, "/x", "{}").Location.ShouldBe("/a");
        client.Post(1, "/x", "{}").Location.ShouldBe("/b");
        _connections.ShouldBe(2);
    }
}
