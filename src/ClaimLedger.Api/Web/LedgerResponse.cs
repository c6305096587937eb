using System.Text.Json;

namespace ClaimLedger.Web;

/// <summary>
/// A successful answer to a write, kept as JSON so that an idempotent repeat returns exactly the first response.
/// </summary>
public sealed record LedgerResponse(int Status, string Body, string? Location = null, string? ETag = null) : IResult
{
    public static LedgerResponse Of(int status, object body, string? location = null, long? version = null) =>
        new(status, JsonSerializer.Serialize(body, body.GetType(), JsonSetup.Options), location,
            version is { } v ? ETags.Format(v) : null);

    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = Status;
        if (Location != null) http.Response.Headers.Location = Location;
        if (ETag != null) http.Response.Headers.ETag = ETag;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(Body);
    }
}

public static class ETags
{
    public static string Format(long version) => $"\"{version}\"";
}
