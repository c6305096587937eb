using System.Text;
using ClaimLedger.Web;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace ClaimLedger.Audit.Witnessing;

/// <summary>
/// The witness: cosigns a checkpoint of a log it knows only when it extends the latest one it cosigned for that log.
/// The latest size and root per log are kept in PostgreSQL and read and replaced under a row lock in one transaction, so
/// two requests cannot both pass against the same state, and a restart forgets nothing: it never cosigns two
/// inconsistent trees of one log.
/// </summary>
public sealed class Witness(WitnessIdentity identity, NpgsqlDataSource dataSource, TimeProvider clock, ILogger<Witness> logger)
{
    public async Task<WitnessAnswer> AddCheckpointAsync(string body, CancellationToken ct)
    {
        if (WitnessRules.Authenticate(body, identity.Logs, out var checkpoint) is { } refused)
        {
            if (refused is WitnessAnswer.Forbidden f) logger.LogWarning("Witness: refused a checkpoint: {Reason}", f.Reason);
            return refused;
        }
        var origin = checkpoint!.Body.Origin;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // A log seen for the first time starts at size 0; the insert makes a concurrent first request wait for this one.
        await using (var first = new NpgsqlCommand(
                         $"insert into {LedgerSchema.WitnessedLogs} (origin, tree_size, root_hash, cosigned_at) values (@o, 0, @r, @t) on conflict do nothing", conn, tx))
        {
            first.Parameters.AddWithValue("o", origin);
            first.Parameters.AddWithValue("r", MerkleTree.EmptyRoot);
            first.Parameters.AddWithValue("t", clock.GetUtcNow());
            await first.ExecuteNonQueryAsync(ct);
        }
        long heldSize;
        byte[] heldRoot;
        await using (var read = new NpgsqlCommand($"select tree_size, root_hash from {LedgerSchema.WitnessedLogs} where origin = @o for update", conn, tx))
        {
            read.Parameters.AddWithValue("o", origin);
            await using var reader = await read.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            (heldSize, heldRoot) = (reader.GetInt64(0), (byte[])reader[1]);
        }
        if (WitnessRules.Extends(checkpoint, heldSize, heldRoot) is { } conflict)
        {
            // A validly signed checkpoint that does not extend what was cosigned may be evidence of a split view: kept in the log.
            if (conflict is WitnessAnswer.ProofFails p)
                logger.LogError("Witness: {Origin} signed a checkpoint inconsistent with the one cosigned ({Reason}):\n{Checkpoint}", origin, p.Reason, checkpoint.Request.Checkpoint);
            return conflict;
        }
        await using (var write = new NpgsqlCommand(
                         $"update {LedgerSchema.WitnessedLogs} set tree_size = @s, root_hash = @r, cosigned_at = @t where origin = @o", conn, tx))
        {
            write.Parameters.AddWithValue("o", origin);
            write.Parameters.AddWithValue("s", checkpoint.Body.TreeSize);
            write.Parameters.AddWithValue("r", checkpoint.Body.RootHash);
            write.Parameters.AddWithValue("t", clock.GetUtcNow());
            await write.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        var cosignature = identity.Cosigner!.Cosign(checkpoint.Note.Text, clock.GetUtcNow().ToUnixTimeSeconds());
        return new WitnessAnswer.Cosigned(cosignature.Line + "\n");
    }
}

public static class WitnessEndpoint
{
    /// <summary>
    /// tlog-witness <c>add-checkpoint</c>. No API key: the log's signature on the checkpoint authenticates it. 403 (not
    /// tlog-witness's 404) for a log this witness does not know, as for a checkpoint its key did not sign.
    /// </summary>
    [EndpointSummary("Witness: cosign a checkpoint that extends the one last cosigned for its log (c2sp.org/tlog-witness)")]
    [WolverinePost("/tlog/witness/add-checkpoint", Name = "WitnessAddCheckpoint"), AllowAnonymous]
    [Tags("Transparency log")]
    public static async Task<IResult> AddCheckpoint(HttpContext http, WitnessIdentity identity, Witness witness, CancellationToken ct)
    {
        if (!identity.Enabled) return Problems.Result(404, "this node is not a witness (ClaimLedger:Witness:Name is not set)");
        string body;
        try
        {
            using var reader = new StreamReader(http.Request.Body, new UTF8Encoding(false, throwOnInvalidBytes: true));
            body = await reader.ReadToEndAsync(ct);
        }
        catch (DecoderFallbackException) { return Problems.Result(400, "the body is not UTF-8", "body"); }
        catch (BadHttpRequestException e) { return Problems.Result(e.StatusCode, $"the body could not be read: {e.Message}", "body"); }
        catch (IOException e) when (!ct.IsCancellationRequested) { return Problems.Result(400, $"the body could not be read: {e.Message}", "body"); }
        return await witness.AddCheckpointAsync(body, ct) switch
        {
            WitnessAnswer.Cosigned c => Results.Text(c.Lines, "text/plain; charset=utf-8"),
            WitnessAnswer.Conflict c => new SizeResult(c.HeldSize),
            WitnessAnswer.Malformed m => Problems.Result(400, m.Reason, m.Field),
            WitnessAnswer.Forbidden f => Problems.Result(403, f.Reason, "checkpoint"),
            WitnessAnswer.ProofFails p => Problems.Result(422, p.Reason, "proof"),
            _ => throw new InvalidOperationException("an answer the witness does not give"),
        };
    }

    /// <summary>409 with the size held, <c>text/x.tlog.size</c>, as tlog-witness requires.</summary>
    private sealed class SizeResult(long size) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = 409;
            http.Response.ContentType = "text/x.tlog.size";
            await http.Response.WriteAsync(size.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        }
    }
}
