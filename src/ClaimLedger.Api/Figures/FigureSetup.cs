using JasperFx.Events.Projections;
using Marten;

namespace ClaimLedger.Figures;

public static class FigureSetup
{
    public static void ConfigureFigures(this StoreOptions opts)
    {
        opts.Events.AddEventType<FigureDefined>();
        opts.Projections.Add<FigureProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<Figure>().Index(f => f.Metric);
    }
}
