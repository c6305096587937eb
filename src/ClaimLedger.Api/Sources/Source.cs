using System.Security.Cryptography;
using System.Text;
using Marten.Events.Aggregation;

namespace ClaimLedger.Sources;

/// <summary>A published document was registered: an article, a press release, a report. Sources are immutable.</summary>
public sealed record SourceRegistered(
    Guid SourceId, string Title, string Outlet, string? Url, string Language, DateTimeOffset PublishedAt,
    string? Text, string? ContentSha256);

/// <summary>What the ledger knows of a source. Rebuilt from its one event.</summary>
public sealed record Source(
    Guid Id, string Title, string Outlet, string? Url, string Language, DateTimeOffset PublishedAt,
    string? Text, string? ContentSha256, string RegisteredBy, DateTimeOffset RegisteredAt, long Version);

public sealed class SourceProjection : SingleStreamProjection<Source, Guid>
{
    public static Source Create(JasperFx.Events.IEvent<SourceRegistered> e) =>
        new(e.Data.SourceId, e.Data.Title, e.Data.Outlet, e.Data.Url, e.Data.Language, e.Data.PublishedAt,
            e.Data.Text, e.Data.ContentSha256, e.UserName ?? "", e.Timestamp, e.Version);
}

public static class SourceText
{
    /// <summary>SHA-256 of the text's UTF-8 bytes, lower-case hex.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
