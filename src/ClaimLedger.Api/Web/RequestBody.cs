using System.Text.Json;

namespace ClaimLedger.Web;

/// <summary>
/// Reads a JSON body with the one JSON setup, so that every malformed body, wrong type, lone surrogate or string that
/// PostgreSQL cannot store (U+0000, <see cref="JsonSetup.RequestOptions"/>) becomes a 400 that names the field
/// (Wolverine's own reader answers "Invalid JSON format" without one).
/// </summary>
public static class RequestBody
{
    public static async Task<(T? Body, IResult? Problem)> ReadAsync<T>(HttpContext http) where T : class
    {
        var request = http.Request;
        var mediaType = request.ContentType is { } ct && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(ct, out var parsed)
            ? parsed.MediaType.Value : null;
        if (mediaType is null || !(mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
                                   mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
            return (null, Problems.Result(415, "send the body as application/json", "Content-Type"));
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, JsonSetup.RequestOptions, http.RequestAborted);
            return body is null
                ? (null, Problems.Result(400, "the body must be a JSON object", "body"))
                : (body, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Result(400, JsonSetup.Describe(e), JsonSetup.FieldOf(e)));
        }
        catch (IOException e) when (!http.RequestAborted.IsCancellationRequested)
        {
            // Kestrel reports some malformed framing as an IOException rather than a bad request (a chunk size that
            // overflows: "Bad chunk size data"). Only the request's body is read here, so the request is at fault.
            return (null, Problems.Result(400, $"the body could not be read: {e.Message}", "body"));
        }
    }
}
