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

/// <summary>
/// HEAD on any route is answered as GET would be — status and headers, every refusal included — with the body
/// discarded (RFC 9110 §9.3.2). The routes declare GET only.
/// </summary>
public sealed class HeadAsGet(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!HttpMethods.IsHead(http.Request.Method))
        {
            await next(http);
            return;
        }
        var response = http.Features.Get<IHttpResponseBodyFeature>()!;
        http.Request.Method = HttpMethods.Get;
        http.Features.Set<IHttpResponseBodyFeature>(new DiscardedBody(response));
        try
        {
            await next(http);
        }
        finally
        {
            http.Features.Set(response);
            http.Request.Method = HttpMethods.Head;
        }
    }

    /// <summary>
    /// A body that goes nowhere, but whose first write or flush starts the response as a GET's would: an endpoint that
    /// wrote something has started its response, and is not taken for one that answered nothing (204).
    /// </summary>
    private sealed class DiscardedBody(IHttpResponseBodyFeature response) : Stream, IHttpResponseBodyFeature
    {
        private PipeWriter? _writer;

        public Stream Stream => this;
        public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));
        public void DisableBuffering() => response.DisableBuffering();
        public Task StartAsync(CancellationToken ct = default) => response.StartAsync(ct);
        public Task SendFileAsync(string path, long offset, long? count, CancellationToken ct = default) => StartAsync(ct);

        public async Task CompleteAsync()
        {
            if (_writer != null) await _writer.CompleteAsync();
            await StartAsync();
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken ct) => StartAsync(ct);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => StartAsync(ct);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => new(StartAsync(ct));
    }
}
