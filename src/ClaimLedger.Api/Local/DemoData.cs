using System.Text.Json;
using ClaimLedger.Access;
using ClaimLedger.Claims;
using ClaimLedger.Figures;
using ClaimLedger.Figures.Defining;
using ClaimLedger.Quotes;
using ClaimLedger.Sources;
using ClaimLedger.Sources.Registering;
using Marten;
using ClaimLedger.Web;
using ClaimLedger.Storage;

namespace ClaimLedger.Local;

/// <summary>
/// On a database ClaimLedger provisioned itself: demo users (their keys printed; development only) and, when the
/// ledger is empty, the seed article with its figures and every figure-bearing claim as the article attributes it.
/// </summary>
public sealed class DemoData(LedgerDatabase database, IDocumentStore store, Npgsql.NpgsqlDataSource dataSource, TimeProvider clock,
    ILogger<DemoData> logger) : IHostedService
{
    public static readonly (string Name, string Role)[] DemoUsers =
        [("demo-checker", Roles.Checker), ("demo-reviewer", Roles.Reviewer), ("demo-reviewer-2", Roles.Reviewer),
         ("demo-auditor", Roles.Auditor), ("demo-admin", Roles.Admin)];

    public async Task StartAsync(CancellationToken ct)
    {
        if (!database.SelfProvisioned) return;
        var keys = await EnsureDemoUsersAsync(ct);
        Console.WriteLine($"ClaimLedger demo users on {database.Describe()} (development only):");
        foreach (var (name, role) in DemoUsers) Console.WriteLine($"  {name,-16} {role,-9} {keys[name]}");

        await using var session = store.QuerySession();
        if (await session.Events.QueryAllRawEvents().AnyAsync(ct)) return;
        var seeded = await SeedAsync(store, ct);
        logger.LogInformation("Seeded the demo article: {Claims} claims on {Figures} figures", seeded.Claims.Count, seeded.Figures.Count);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>Demo keys live in .data/demo-keys.json beside the private cluster, so every start can print them.</summary>
    private async Task<Dictionary<string, string>> EnsureDemoUsersAsync(CancellationToken ct)
    {
        var file = Path.Combine(LocalPostgres.DataRoot(), "demo-keys.json");
        var keys = File.Exists(file)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(file, ct)) ?? new()
            : new Dictionary<string, string>();
        foreach (var (name, role) in DemoUsers)
        {
            // A key kept from an earlier start still works if it was not revoked and its user still has the role.
            if (keys.TryGetValue(name, out var key) &&
                await UserDirectory.FindKeyAsync(dataSource, store.Options.Serializer(), ApiKeys.Hash(key), ct) is var (account, keyId) &&
                account.Role == role && account.Keys.Any(k => k.KeyId == keyId && !k.Revoked))
                continue;
            keys[name] = await ApiKeys.IssueAsync(store, name, role, clock, ct: ct, actor: "local:demo-data");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(keys, new JsonSerializerOptions { WriteIndented = true }), ct);
        return keys;
    }

    public static string ArticleText()
    {
        using var stream = typeof(DemoData).Assembly.GetManifestResourceStream("seed/aleppo-offensive-2024-fr.txt")
                           ?? throw new InvalidOperationException("the seed article is not embedded");
        return new StreamReader(stream).ReadToEnd();
    }

    public sealed record Seeded(Guid SourceId, IReadOnlyDictionary<string, Guid> Figures, IReadOnlyDictionary<string, Guid> Claims);

    private const string Article = "Article (unattributed)";
    private const string Osdh = "OSDH (Observatoire syrien des droits de l'homme)";
    private const string Un = DemoStories.Un;

    /// <summary>The seed article, its figures and its claims, appended as the demo checker through the same rules as the API.</summary>
    public static async Task<Seeded> SeedAsync(IDocumentStore store, CancellationToken ct)
    {
        var text = ArticleText();
        var published = new DateTimeOffset(2024, 11, 29, 0, 0, 0, TimeSpan.Zero);
        var wednesday = new DateTimeOffset(2024, 11, 27, 0, 0, 0, TimeSpan.Zero); // "depuis mercredi", against the publication date

        await using var session = store.LightweightSession();
        session.LastModifiedBy = "demo-checker";
        await LedgerTransaction.BeginAsync(session, ct);
        var errors = new FieldErrors();

        var source = RegisterSourceEndpoint.Validate(new RegisterSource
            {
                Title = "Offensive djihadiste dans le nord-ouest de la Syrie : les combats menacent Alep", Outlet = "unknown",
                Language = "fr", PublishedAt = published, Text = text,
            },
            errors, Guid.CreateVersion7());
        session.Events.StartStream<Source>(source.SourceId, source);

        var figures = new Dictionary<string, Guid>();
        Guid Figure(string key, string title, string metric, string unit, string? place)
        {
            var defined = DefineFigureEndpoint.Validate(new DefineFigure { Title = title, Metric = metric, Unit = unit, Place = place, Topic = "Aleppo offensive 2024" }, errors, Guid.CreateVersion7());
            session.Events.StartStream<Figure>(defined.FigureId, defined);
            return figures[key] = defined.FigureId;
        }

        var deaths = Figure("deaths", "Deaths in the north-west Syria offensive since 27 Nov 2024", "deaths", "people", "north-west Syria");
        var civilians = Figure("civilian_deaths", "Civilian deaths in the north-west Syria offensive since 27 Nov 2024", "civilian_deaths", "people", "north-west Syria");
        var localities = Figure("localities_captured", "Localities captured by HTS-led groups", "localities_captured", "localities", "north-west Syria");
        var displaced = Figure("displaced", "People displaced by the offensive", "displaced", "people", "north-west Syria");
        var displacedChildren = Figure("displaced_children", "Children among the people displaced by the offensive", "displaced_children", "people", "north-west Syria");
        var residence = Figure("university_residence_deaths", "Civilians killed in fire on a university residence in Aleppo", "civilian_deaths", "people", "Aleppo");
        var distance = Figure("distance_to_aleppo", "Distance between the jihadist front line and the city of Aleppo", "distance_to_city", "km", "Aleppo");
        var generals = Figure("iranian_generals_killed", "Iranian Revolutionary Guards generals killed in the fighting", "military_deaths", "people", "north-west Syria");
        var warYear = Figure("war_year", "Year of the Syrian civil war the conflict is in", "conflict_year", "year (ordinal)", "Syria");
        var sinceShelling = Figure("years_since_aleppo_shelled", "Years since jihadists last shelled Aleppo", "years_since_event", "years", "Aleppo");

        var claims = new Dictionary<string, Guid>();
        void Claim(string key, string quote, string attributedTo, Guid? figure, ClaimValue? value, DateTimeOffset? validFrom = null)
        {
            var anchor = QuoteAnchoring.Find(text, quote) ?? throw new InvalidOperationException($"seed quote not in the article: {quote}");
            var id = Guid.CreateVersion7();
            session.Events.StartStream<Claim>(id, new ClaimSubmitted(id, source.SourceId, quote, anchor, attributedTo, figure, value, validFrom, null, null));
            claims[key] = id;
        }

        Claim("localities_article", "ont réussi à conquérir une cinquantaine de territoires en quelques jours", Article,
            localities, new ClaimValue(50, Bound.Approximately));
        Claim("localities_osdh", "cette attaqude fulgurante dans le nord-ouest du pays a permis la prise d’une cinquantaine de localités", Osdh,
            localities, new ClaimValue(50, Bound.Approximately));
        Claim("deaths_osdh", "Les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils.", Osdh,
            deaths, new ClaimValue(242, Bound.AtLeast), wednesday);
        Claim("civilian_deaths_osdh", "Les combats ont fait au moins 242 victimes depuis mercredi, dont 24 civils.", Osdh,
            civilians, new ClaimValue(24, Bound.Exact), wednesday);
        Claim("violence_three_years", "Les combats, décrits comme les plus violents depuis trois ans", Article, null, null);
        Claim("violence_since_2020", "Les affrontements sont les plus violents depuis 2020 dans cette région.", Article, null, null);
        Claim("aleppo_shelled", "Les djihadistes ont bombardé Alep pour la première fois depuis quatre ans.", Article,
            sinceShelling, new ClaimValue(4, Bound.Exact));
        Claim("university_residence", "Quatre civils ont péri dans des tirs visant une résidence universitaire", Article,
            residence, new ClaimValue(4, Bound.Exact));
        Claim("distance", "les djihadistes se trouvent à seulement deux kilomètres de la ville", Article,
            distance, new ClaimValue(2, Bound.Exact));
        Claim("displaced_un", "Cette offensive a provoqué le départ de plus de 14 000 personnes, dont près de la moitié sont des enfants, selon l’ONU.", Un,
            displaced, new ClaimValue(14000, Bound.MoreThan));
        Claim("displaced_children_un", "dont près de la moitié sont des enfants, selon l’ONU", Un,
            displacedChildren, new ClaimValue(7000, Bound.Approximately, High: 7000));
        Claim("iranian_general", "un général iranien des Gardiens de la Révolution a été tué dans les combats", Article,
            generals, new ClaimValue(1, Bound.Exact));
        Claim("war_thirteenth_year", "Alors que le conflit syrien entre dans sa 13ᵉ année", Article,
            warYear, new ClaimValue(13, Bound.Exact));

        if (errors.Any) throw new InvalidOperationException("the seed data does not pass validation");
        await session.SaveChangesAsync(ct);

        await SeedLifecycleAsync(store, text, source.SourceId, deaths, claims, ct);
        await DemoStories.SeedAsync(store, figures, claims, ct);
        return new Seeded(source.SourceId, figures, claims);
    }

    public const string IllustrativeText =
        "[Illustration — données de démonstration, pas une dépêche réelle] Selon l’OSDH, les combats dans le nord-ouest " +
        "de la Syrie ont fait au moins 311 morts depuis mercredi.";

    /// <summary>
    /// A real lifecycle for the demo, decided by the same rules as the API: the "13ᵉ année" claim disputed and the
    /// dispute upheld; "depuis trois ans" and "depuis 2020" recorded as contradicting each other; a later OSDH count,
    /// from a source marked as illustrative, superseding the 242.
    /// </summary>
    private static async Task SeedLifecycleAsync(IDocumentStore store, string text, Guid articleId, Guid deathsFigure,
        Dictionary<string, Guid> claims, CancellationToken ct)
    {
        var reviewer = new Actor("demo-reviewer", Roles.Reviewer);
        var otherReviewer = new Actor("demo-reviewer-2", Roles.Reviewer);
        var checker = new Actor("demo-checker", Roles.Checker);

        var disputeId = Guid.CreateVersion7();
        await DecideAsync(store, otherReviewer, claims["war_thirteenth_year"], new OpenDispute(disputeId,
            "The Syrian war began in March 2011: in November 2024 it is in its 14th year, not its 13th.", null, null, null), ct);
        await DecideAsync(store, reviewer, claims["war_thirteenth_year"], new ResolveDispute(disputeId, DisputeOutcome.Upheld,
            "March 2011 + 13 years = March 2024: by November 2024 the conflict had entered its 14th year."), ct);

        const string sinceThreeYears = "Les combats, décrits comme les plus violents depuis trois ans";
        const string since2020 = "Les affrontements sont les plus violents depuis 2020 dans cette région.";
        await DecideAsync(store, checker, claims["violence_three_years"], new AttachEvidence(Guid.CreateVersion7(), articleId,
            since2020, QuoteAnchoring.Find(text, since2020), Stance.Contradicts,
            "The same article dates the comparison to 2020, four years before November 2024, not three."), ct);
        await DecideAsync(store, checker, claims["violence_since_2020"], new AttachEvidence(Guid.CreateVersion7(), articleId,
            sinceThreeYears, QuoteAnchoring.Find(text, sinceThreeYears), Stance.Contradicts,
            "The same article says 'three years', which would date the comparison to 2021."), ct);

        await using var session = store.LightweightSession();
        session.LastModifiedBy = checker.Name;
        await LedgerTransaction.BeginAsync(session, ct);
        var errors = new FieldErrors();
        var illustrative = RegisterSourceEndpoint.Validate(new RegisterSource
        {
            Title = "[Illustrative] A later OSDH toll (demo data, not a real report)", Outlet = "ClaimLedger demo (illustrative)",
            Language = "fr", PublishedAt = new DateTimeOffset(2024, 11, 30, 0, 0, 0, TimeSpan.Zero), Text = IllustrativeText,
        }, errors, Guid.CreateVersion7());
        session.Events.StartStream<Source>(illustrative.SourceId, illustrative);
        const string laterQuote = "au moins 311 morts depuis mercredi";
        var later = Guid.CreateVersion7();
        var older = await session.Events.FetchForExclusiveWriting<Claim>(claims["deaths_osdh"], ct);
        var supersede = ClaimRules.Decide(older.Aggregate!, new SupersedeClaim(later, deathsFigure, Osdh), checker);
        if (supersede.Refusal is { } refused || errors.Any) throw new InvalidOperationException("the seed supersession is refused");
        older.AppendMany(supersede.Events.ToArray());
        session.Events.StartStream<Claim>(later, new ClaimSubmitted(later, illustrative.SourceId, laterQuote,
            QuoteAnchoring.Find(IllustrativeText, laterQuote), Osdh, deathsFigure, new ClaimValue(311, Bound.AtLeast),
            new DateTimeOffset(2024, 11, 27, 0, 0, 0, TimeSpan.Zero), null, claims["deaths_osdh"]));
        await session.SaveChangesAsync(ct);
        claims["deaths_osdh_later"] = later;
    }

    internal static async Task DecideAsync(IDocumentStore store, Actor actor, Guid claimId, ClaimCommand command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.LastModifiedBy = actor.Name;
        await LedgerTransaction.BeginAsync(session, ct);
        var stream = await session.Events.FetchForExclusiveWriting<Claim>(claimId, ct);
        var decision = ClaimRules.Decide(stream.Aggregate!, command, actor);
        if (decision.Refusal is { } refusal) throw new InvalidOperationException($"the seed lifecycle is refused: {refusal.Reason}");
        stream.AppendMany(decision.Events.ToArray());
        await session.SaveChangesAsync(ct);
    }
}
