using ClaimLedger.Claims.Searching;
using JasperFx.Events;
using Marten.Schema;
using Weasel.Postgresql.Tables;

namespace ClaimLedger.Sources.Listing;

/// <summary>
/// A source as lists show it: everything but its text, which can be megabytes that a list would otherwise read (a row's
/// JSON is read whole). Kept inline from its one event; searched by the folded words of its title and outlet.
/// </summary>
public sealed record SourceSummary
{
    public Guid Id { get; init; }
    public string Title { get; init; } = "";
    public string Outlet { get; init; } = "";
    public string? Url { get; init; }
    public string Language { get; init; } = "";
    public DateTimeOffset PublishedAt { get; init; }
    public string? ContentSha256 { get; init; }
    public bool HasText { get; init; }
    /// <summary>In whole microseconds, as PostgreSQL keeps it: a cursor made from it names exactly the stored value.</summary>
    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The folded words of the title and the outlet (<see cref="SearchText"/>), in an indexed column of their own.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string SearchTerms => SearchText.Join(SearchText.Words(Title).Concat(SearchText.Words(Outlet)).Distinct());

    public const string Table = "claimledger.mt_doc_sourcesummary";

    public static SourceSummary Create(IEvent<SourceRegistered> e) => new()
    {
        Id = e.Data.SourceId, Title = e.Data.Title, Outlet = e.Data.Outlet, Url = e.Data.Url, Language = e.Data.Language,
        PublishedAt = e.Data.PublishedAt, ContentSha256 = e.Data.ContentSha256, HasText = e.Data.Text != null,
        RegisteredAt = ClaimSummary.Micros(e.Timestamp),
    };

    /// <summary>Marten calls this when it maps the document: the columns and indexes the list reads.</summary>
    public static void ConfigureMarten(DocumentMapping mapping)
    {
        mapping.DuplicateField([typeof(SourceSummary).GetProperty(nameof(RegisteredAt))!], "timestamptz", "registered_at", notNull: true);
        mapping.DuplicateField([typeof(SourceSummary).GetProperty(nameof(SearchTerms))!], "text", "search_terms");
        mapping.Indexes.Add(new IndexDefinition("source_summary_by_registration") { Columns = ["registered_at", "id"] });
        mapping.Indexes.Add(new IndexDefinition("source_summary_terms") { Columns = [SearchText.Vector("search_terms")], Method = IndexMethod.gin });
    }
}
