using ClaimLedger.Access;
using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Figures.Defining;
using ClaimLedger.Quotes;
using ClaimLedger.Sources;
using ClaimLedger.Sources.Registering;
using ClaimLedger.Storage;
using ClaimLedger.Web;
using Marten;

namespace ClaimLedger.Local;

/// <summary>
/// The demo beyond the seed article: other originators on the same offensive (the UN's displacement count, a
/// civil-defence toll), each from a source marked illustrative (demo data, not a real report), and claims in every
/// state a newsroom meets — verified, disputed, retracted, corrected — decided by the same rules as the API, so that
/// every page of the web app has something true to show on a fresh start.
/// </summary>
internal static class DemoStories
{
    public const string Un = "ONU (United Nations)";
    public const string CivilDefence = "Défense civile syrienne (Casques blancs)";

    public const string UnText =
        "[Illustration — données de démonstration, pas un rapport réel] Selon l’ONU, plus de 48 500 personnes ont été " +
        "déplacées dans le nord-ouest de la Syrie entre le 27 novembre et le 1er décembre, dont près de la moitié sont des enfants.";

    public const string CivilDefenceText =
        "[Illustration — données de démonstration, pas un communiqué réel] La Défense civile syrienne (Casques blancs) " +
        "indique qu’au moins 61 civils ont été tués depuis le 27 novembre dans les provinces d’Alep et d’Idleb.\n\n" +
        "Un premier bilan, faisant état de 20 morts dans un hôpital d’Alep, a été retiré par l’organisation.";

    private static readonly DateTimeOffset Offensive = new(2024, 11, 27, 0, 0, 0, TimeSpan.Zero);

    public static async Task SeedAsync(IDocumentStore store, IDictionary<string, Guid> figures, IDictionary<string, Guid> claims, CancellationToken ct)
    {
        var checker = new Actor("demo-checker", Roles.Checker);
        var reviewer = new Actor("demo-reviewer", Roles.Reviewer);
        var otherReviewer = new Actor("demo-reviewer-2", Roles.Reviewer);

        // The UN's later count supersedes its 14 000 of the article; a reviewer who did not submit it verifies it.
        const string unQuote = "plus de 48 500 personnes ont été déplacées dans le nord-ouest de la Syrie entre le 27 novembre et le 1er décembre";
        var un = await RegisterAsync(store, checker, "[Illustrative] UN displacement update, north-west Syria (demo data, not a real report)",
            new DateTimeOffset(2024, 12, 2, 0, 0, 0, TimeSpan.Zero), UnText, ct);
        claims["displaced_un_later"] = await SubmitAsync(store, checker, un, UnText, unQuote, Un, figures["displaced"],
            new ClaimValue(48500, Bound.MoreThan), Offensive, new DateTimeOffset(2024, 12, 1, 0, 0, 0, TimeSpan.Zero), claims["displaced_un"], ct);
        await DemoData.DecideAsync(store, reviewer, claims["displaced_un_later"], new RecordVerdict(Verdict.Verified,
            "The count matches the UN's published displacement figures for 27 November – 1 December."), ct);

        // A civil-defence toll, submitted by a reviewer (so it waits for the other reviewer), its value mistyped and corrected.
        var civil = await RegisterAsync(store, reviewer, "[Illustrative] Syrian Civil Defence toll (demo data, not a real statement)",
            new DateTimeOffset(2024, 12, 1, 0, 0, 0, TimeSpan.Zero), CivilDefenceText, ct);
        const string tollQuote = "au moins 61 civils ont été tués depuis le 27 novembre dans les provinces d’Alep et d’Idleb";
        claims["civilian_deaths_civil_defence"] = await SubmitAsync(store, reviewer, civil, CivilDefenceText, tollQuote, CivilDefence,
            figures["civilian_deaths"], new ClaimValue(16, Bound.AtLeast), Offensive, null, null, ct);
        var typed = await LoadAsync(store, claims["civilian_deaths_civil_defence"], ct);
        await DemoData.DecideAsync(store, reviewer, typed.Id, new CorrectClaim(typed.Content with { Value = new ClaimValue(61, Bound.AtLeast) },
            "The statement says 61, not 16: the value was mistyped."), ct);

        // A first toll the organisation withdrew: retracted by the one who submitted it.
        var hospital = await DefineAsync(store, reviewer, "People killed in a strike on a hospital in Aleppo", "deaths", "Aleppo", ct);
        figures["hospital_deaths"] = hospital;
        claims["hospital_deaths_civil_defence"] = await SubmitAsync(store, reviewer, civil, CivilDefenceText, "20 morts dans un hôpital d’Alep",
            CivilDefence, hospital, new ClaimValue(20, Bound.Exact), Offensive, null, null, ct);
        await DemoData.DecideAsync(store, reviewer, claims["hospital_deaths_civil_defence"],
            new RetractClaim("The Civil Defence withdrew this first toll: it could not confirm it."), ct);

        // A dispute left open: the other reviewer decides it (it is in demo-reviewer's queue).
        await DemoData.DecideAsync(store, otherReviewer, claims["distance"], new OpenDispute(Guid.CreateVersion7(),
            "Other reports the same day put the front line at Aleppo's western outskirts, inside the city limits, not two kilometres away.",
            null, null, null), ct);
    }

    private static async Task<Guid> RegisterAsync(IDocumentStore store, Actor actor, string title, DateTimeOffset published, string text, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var registered = RegisterSourceEndpoint.Validate(new RegisterSource
            { Title = title, Outlet = "ClaimLedger demo (illustrative)", Language = "fr", PublishedAt = published, Text = text }, errors, Guid.CreateVersion7());
        if (errors.Any) throw new InvalidOperationException("a demo source does not pass validation");
        await AppendAsync(store, actor, s => s.Events.StartStream<Source>(registered.SourceId, registered), ct);
        return registered.SourceId;
    }

    private static async Task<Guid> DefineAsync(IDocumentStore store, Actor actor, string title, string metric, string place, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var defined = DefineFigureEndpoint.Validate(new DefineFigure { Title = title, Metric = metric, Unit = "people", Place = place, Topic = "Aleppo offensive 2024" },
            errors, Guid.CreateVersion7());
        if (errors.Any) throw new InvalidOperationException("a demo figure does not pass validation");
        await AppendAsync(store, actor, s => s.Events.StartStream<Figure>(defined.FigureId, defined), ct);
        return defined.FigureId;
    }

    private static async Task<Guid> SubmitAsync(IDocumentStore store, Actor actor, Guid sourceId, string text, string quote, string attributedTo,
        Guid figureId, ClaimValue value, DateTimeOffset? validFrom, DateTimeOffset? validTo, Guid? supersedes, CancellationToken ct)
    {
        var anchor = QuoteAnchoring.Find(text, quote) ?? throw new InvalidOperationException($"demo quote not in its source: {quote}");
        var id = Guid.CreateVersion7();
        await using var session = store.LightweightSession();
        session.LastModifiedBy = actor.Name;
        await LedgerTransaction.BeginAsync(session, ct);
        if (supersedes is { } older)
        {
            var stream = await session.Events.FetchForExclusiveWriting<Claim>(older, ct);
            var decision = ClaimRules.Decide(stream.Aggregate!, new SupersedeClaim(id, figureId, attributedTo), actor);
            if (decision.Refusal is { } refusal) throw new InvalidOperationException($"a demo supersession is refused: {refusal.Reason}");
            stream.AppendMany(decision.Events.ToArray());
        }
        session.Events.StartStream<Claim>(id, new ClaimSubmitted(id, sourceId, quote, anchor, attributedTo, figureId, value, validFrom, validTo, supersedes));
        await session.SaveChangesAsync(ct);
        return id;
    }

    private static async Task AppendAsync(IDocumentStore store, Actor actor, Action<IDocumentSession> append, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.LastModifiedBy = actor.Name;
        await LedgerTransaction.BeginAsync(session, ct);
        append(session);
        await session.SaveChangesAsync(ct);
    }

    private static async Task<Claim> LoadAsync(IDocumentStore store, Guid id, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<Claim>(id, ct) ?? throw new InvalidOperationException($"the demo claim {id} is missing");
    }
}
