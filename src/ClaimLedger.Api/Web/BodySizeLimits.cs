using ClaimLedger.Access;
using ClaimLedger.Audit;
using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Sources;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Authentication;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Weasel.Core;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace ClaimLedger.Web;

/// <summary>Sources take up to 2 MiB; every other body 64 KiB. Past that: 413 before the body is read.</summary>
public sealed class BodySizeLimits(RequestDelegate next)
{
    public const long SourceLimit = 2 * 1024 * 1024 + 64 * 1024;
    public const long DefaultLimit = 64 * 1024;

    public async Task InvokeAsync(HttpContext http)
    {
        var limit = http.Request.Path.StartsWithSegments("/api/sources") ? SourceLimit : DefaultLimit;
        if (http.Request.ContentLength > limit)
        {
            await Problems.Write(http, 413, Problems.TitleFor(413),
                $"the body is {http.Request.ContentLength} bytes; this route accepts at most {limit} bytes", "body");
            return;
        }
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = limit;
        await next(http);
    }
}
