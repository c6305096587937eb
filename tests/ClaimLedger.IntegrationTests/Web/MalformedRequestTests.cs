using System.Net.Sockets;
using System.Text;
using ClaimLedger.IntegrationTests.Support;
using ClaimLedger.Reliability;

namespace ClaimLedger.IntegrationTests.Web;

/// <summary>Input alone never gets a 500: what the contract calls malformed is a 400 that names what is wrong.</summary>
public class MalformedRequestTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;

    [Theory]
    [InlineData("2030-01-01T00:00:00+01:00")]
    [InlineData("2030-01-01T00:00:00-05:30")]
    [InlineData("2024-01-01T00:00:00+14:00")]
    public async Task AsOf_with_any_offset_is_read_as_the_instant_it_names(string asOf)
    {
        var figure = await Api.Figure();
        var claim = await Api.Claim(figure: figure);
        var escaped = Uri.EscapeDataString(asOf);
        var claimThen = await Api.Get($"/api/claims/{claim}?asOf={escaped}");
        var figureThen = await Api.Get($"/api/figures/{figure}?asOf={escaped}");
        if (DateTimeOffset.Parse(asOf) > DateTimeOffset.UtcNow)
        {
            claimThen.Status.ShouldBe(200, claimThen.Body);
            figureThen.Status.ShouldBe(200, figureThen.Body);
        }
        else
        {
            claimThen.Status.ShouldBe(404, claimThen.Body);
            figureThen.Status.ShouldBe(404, figureThen.Body);
            claimThen.ProblemField.ShouldBe("asOf");
        }
    }

    /// <summary>A chunk size too large for Kestrel to hold: its framing error reaches the endpoint as an IOException.</summary>
    [Fact]
    public async Task A_chunked_body_with_an_overflowing_chunk_size_is_400_naming_the_body()
    {
        await using var process = await ApiProcess.StartAsync(Api.ConnectionString, Api.SigningKeyPem, Api.Keys[LedgerApi.Checker]);
        var body = """{"title":"t","metric":"deaths","unit":"people"}""";
        foreach (var route in new[] { "/api/figures", "/api/sources", "/api/claims" })
        {
            var answer = await SendRawAsync(process.Port,
                $"POST {route} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Api.Keys[LedgerApi.Checker]}\r\n" +
                $"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n{body}\r\n0\r\n\r\n");
            answer.ShouldStartWith("HTTP/1.1 400", customMessage: answer);
            answer.ShouldContain("application/problem+json");
            answer.ShouldContain("\"field\":\"body\"");
        }
    }

    private static async Task<string> SendRawAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var read = reader.ReadToEndAsync();
        (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30)))).ShouldBe(read, "the server did not answer");
        return await read;
    }
}
