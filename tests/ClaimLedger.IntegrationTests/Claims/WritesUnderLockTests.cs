using ClaimLedger.IntegrationTests.Support;

namespace ClaimLedger.IntegrationTests.Claims;

/// <summary>
/// A quote is anchored in its source's text before the write takes any lock: a long text holds up no other writer of
/// the claim or its figure. Shown by holding a figure's lock from outside: a write whose quote is not in its source is
/// refused while the lock is still held, which it cannot be if anchoring waited behind the lock.
/// </summary>
public class WritesUnderLockTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private LedgerApi Api => fixture.Api;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Evidence_whose_quote_is_not_in_its_source_is_refused_without_waiting_for_the_figure()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var claim = await Api.Claim(source, figure);
        await using (await Api.HoldFigureAsync(figure))
        {
            var evidence = Api.Post($"/api/claims/{claim}/evidence", new { sourceId = source, quote = "pas dans le texte", stance = "supports", note = "n" });
            (await Task.WhenAny(evidence, Task.Delay(Patience))).ShouldBe(evidence, "the refusal waited for the figure's lock");
            (await evidence).Status.ShouldBe(422);
            (await evidence).ProblemField.ShouldBe("quote");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_submission_whose_quote_is_not_in_its_source_is_refused_without_waiting_for_the_figure(bool withKey)
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var headers = withKey ? new Dictionary<string, string> { ["Idempotency-Key"] = Guid.NewGuid().ToString() } : null;
        await using (await Api.HoldFigureAsync(figure))
        {
            var submission = Api.Post("/api/claims", new
            {
                sourceId = source, quote = "pas dans le texte", attributedTo = "OSDH", figureId = figure, value = new { amount = 1, bound = "exact" },
            }, headers: headers);
            (await Task.WhenAny(submission, Task.Delay(Patience))).ShouldBe(submission, "the refusal waited for the figure's lock");
            (await submission).Status.ShouldBe(422);
            (await submission).ProblemField.ShouldBe("quote");
        }
    }

    [Fact]
    public async Task A_correction_whose_quote_is_not_in_its_source_is_refused_without_waiting_for_the_figure()
    {
        var source = await Api.Source();
        var figure = await Api.Figure();
        var claim = await Api.Claim(source, figure);
        await using (await Api.HoldFigureAsync(figure))
        {
            var correction = Api.Post($"/api/claims/{claim}/corrections", new { quote = "pas dans le texte", reason = "r" });
            (await Task.WhenAny(correction, Task.Delay(Patience))).ShouldBe(correction, "the refusal waited for the figure's lock");
            (await correction).Status.ShouldBe(422);
        }
    }
}
