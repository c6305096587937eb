using System.Globalization;
using System.Text;
using ClaimLedger.Access;
using ClaimLedger.Figures.Picture;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Wolverine.Http;
using ClaimLedger.Web;

namespace ClaimLedger.Figures.Revisions;

/// <summary>The whole revision history of a figure as CSV (RFC 4180), written a page at a time.</summary>
public static class GetRevisionsCsvEndpoint
{
    private static readonly string[] Columns =
        ["revision", "recordedAt", "actor", "claimId", "attributedTo", "change", "previousAmount", "previousBound", "amount", "bound", "status", "sourceId", "reason"];

    [EndpointSummary("The revision history of a figure as CSV")]
    [WolverineGet("/api/figures/{id}/revisions.csv", Name = "GetFigureRevisionsCsv"), Authorize(Policy = Policies.Read)]
    [EnableRateLimiting(RateLimits.ExportPolicy)]
    [Tags("Figures", "Export")]
    public static async Task Get(Guid id, IQuerySession session, HistoryCatchUp history, HttpContext http)
    {
        var ct = http.RequestAborted;
        var picture = await session.LoadAsync<FigurePicture>(id, ct);
        if (picture is null)
        {
            await Problems.Write(http, 404, Problems.TitleFor(404), $"no figure has the id {id}", "id");
            return;
        }
        if (!await history.WaitForAsync(session, id, picture.RevisionCount, 0, ct))
        {
            await HistoryCatchUp.Behind(http, picture).ExecuteAsync(http);
            return;
        }
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"figure-{id}-revisions.csv\"";
        await http.Response.WriteAsync(string.Join(',', Columns) + "\r\n", ct);
        long after = 0;
        while (true)
        {
            var page = await FigureRevision.PageAsync(session, id, after, 1000, ct);
            if (page.Count == 0) break;
            var text = new StringBuilder();
            foreach (var r in page)
            {
                text.AppendJoin(',', new[]
                {
                    r.Revision.ToString(CultureInfo.InvariantCulture), Web.JsonSetup.Format(r.RecordedAt), r.Actor, r.ClaimId.ToString(),
                    r.AttributedTo, Snake(r.Change.ToString()), r.PreviousValue?.Amount.ToString(CultureInfo.InvariantCulture),
                    r.PreviousValue is null ? null : Snake(r.PreviousValue.Bound.ToString()), r.Value?.Amount.ToString(CultureInfo.InvariantCulture),
                    r.Value is null ? null : Snake(r.Value.Bound.ToString()), Snake(r.Status.ToString()), r.SourceId.ToString(), r.Reason,
                }.Select(Field)).Append("\r\n");
            }
            await http.Response.WriteAsync(text.ToString(), ct);
            after = page[^1].Revision;
        }
    }

    private static string Snake(string name) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(name);

    /// <summary>Quotes a field when it holds a comma, a quote or a line break; neutralises spreadsheet formulas.</summary>
    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' && !decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
            value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
