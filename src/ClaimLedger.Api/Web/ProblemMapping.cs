using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using Marten.Exceptions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace ClaimLedger.Web;

/// <summary>
/// The one way ClaimLedger says no: RFC 9457 problem details that name the field and the reason.
/// </summary>
public static class Problems
{
    public static readonly string[] ProblemContentTypes = ["application/problem+json"];

    public static ProblemDetails Create(int status, string title, string detail, string? field = null,
        IDictionary<string, object?>? extensions = null)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = TypeFor(status) };
        if (field != null)
        {
            problem.Extensions["field"] = field;
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        }
        if (extensions != null)
            foreach (var (k, v) in extensions) problem.Extensions[k] = v;
        return problem;
    }

    /// <summary>400 with every field that is wrong, each with its reasons.</summary>
    public static IResult Invalid(IReadOnlyDictionary<string, string[]> errors)
    {
        var first = errors.First();
        var problem = new ProblemDetails
        {
            Status = 400, Title = "The request is not valid", Type = TypeFor(400),
            Detail = errors.Count == 1
                ? $"{first.Key}: {first.Value[0]}"
                : $"{errors.Count} fields are not valid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")),
        };
        problem.Extensions["field"] = first.Key;
        problem.Extensions["errors"] = errors;
        return Results.Problem(problem);
    }

    public static IResult Result(int status, string detail, string? field = null, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(Create(status, TitleFor(status), detail, field, extensions));

    public static IResult NotFound(string what, Guid id, string field = "id") =>
        Result(404, $"no {what} has the id {id}", field);

    public static Task Write(HttpContext context, int status, string title, string detail, string? field = null,
        IDictionary<string, object?>? extensions = null)
    {
        var problem = Create(status, title, detail, field, extensions);
        problem.Instance = context.Request.Path;
        problem.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier;
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(problem, JsonSetup.Options, "application/problem+json");
    }

    public static string TitleFor(int status) => status switch
    {
        400 => "The request is not valid",
        401 => "Not authenticated",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict with the claim's state",
        412 => "Stale version",
        413 => "Request body too large",
        415 => "Unsupported media type",
        422 => "The request cannot be processed",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => "Error",
    };

    private static string TypeFor(int status) => $"https://httpstatuses.io/{status}";
}

/// <summary>
/// Maps what escapes an endpoint to a problem: bad bodies to 4xx, a database that is away to 503 with Retry-After,
/// and nothing else to a bare 500 without a problem document.
/// </summary>
public sealed class ProblemExceptionHandler(ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (context.Response.HasStarted) return false;
        switch (Unwrap(exception))
        {
            case BadHttpRequestException { StatusCode: 413 }:
                await Problems.Write(context, 413, Problems.TitleFor(413), "the request body is larger than this route accepts", "body");
                return true;
            case BadHttpRequestException bad:
                await Problems.Write(context, bad.StatusCode, Problems.TitleFor(bad.StatusCode), bad.Message, "body");
                return true;
            case JsonException json:
                await Problems.Write(context, 400, Problems.TitleFor(400), JsonSetup.Describe(json), JsonSetup.FieldOf(json));
                return true;
            case ConcurrencyException or JasperFx.Events.ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException
                or JasperFx.Events.StreamLockedException or Marten.Exceptions.StreamLockedException:
                await Problems.Write(context, 409, "Concurrent write", "another write to the same record landed first; retry the request");
                return true;
            case var e when IsDatabaseAway(e):
                logger.LogWarning(e, "PostgreSQL is not reachable");
                context.Response.Headers.RetryAfter = "5";
                await Problems.Write(context, 503, Problems.TitleFor(503), "the ledger's database is not reachable; retry shortly");
                return true;
            default:
                logger.LogError(exception, "Unhandled error on {Path}", context.Request.Path);
                await Problems.Write(context, 500, "Internal error", "the server failed to answer; nothing was acknowledged");
                return true;
        }
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerException: { } inner }) e = inner;
        if (e is MartenCommandException { InnerException: { } mi }) e = mi;
        return e;
    }

    public static bool IsDatabaseAway(Exception e)
    {
        for (var x = e; x != null; x = x.InnerException)
        {
            if (x is NpgsqlException { IsTransient: true }) return true;
            if (x is NpgsqlException ne && ne.InnerException is System.Net.Sockets.SocketException or IOException or TimeoutException) return true;
            if (x is PostgresException pe && (pe.SqlState.StartsWith("57P") || pe.SqlState.StartsWith("08"))) return true;
            if (x is System.Net.Sockets.SocketException) return true;
        }
        return false;
    }
}
