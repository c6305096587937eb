using Marten.Events.Aggregation;

namespace ClaimLedger.Figures;

/// <summary>A quantity the newsroom tracks over time was defined.</summary>
public sealed record FigureDefined(Guid FigureId, string Title, string Metric, string Unit, string? Place, string? Topic);

/// <summary>The definition of a figure. Its current picture is a separate projection.</summary>
public sealed record Figure(
    Guid Id, string Title, string Metric, string Unit, string? Place, string? Topic,
    string DefinedBy, DateTimeOffset DefinedAt);

public sealed class FigureProjection : SingleStreamProjection<Figure, Guid>
{
    public static Figure Create(JasperFx.Events.IEvent<FigureDefined> e) =>
        new(e.Data.FigureId, e.Data.Title, e.Data.Metric, e.Data.Unit, e.Data.Place, e.Data.Topic, e.UserName ?? "", e.Timestamp);
}
