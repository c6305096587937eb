using System.Globalization;
using System.Text;
using ClaimLedger.Audit.Notes;
using Npgsql;

namespace ClaimLedger.Audit.Witnessing;

/// <summary>
/// Submits each new checkpoint to every configured witness (c2sp.org/tlog-witness), with the consistency proof from the
/// size that witness holds, and keeps the cosignatures it returns: they are served on the note. Runs beside the
/// sequencer, never in its way: a slow, absent or refusing witness delays no write and no checkpoint. One node submits
/// at a time (a PostgreSQL advisory lock). A refusal is logged as an error and reported by <c>/api/audit/verify</c>.
/// </summary>
public sealed class WitnessSubmitter(TlogSettings settings, WitnessReports reports, LedgerVerifier verifier, NpgsqlDataSource dataSource,
    CheckpointSignal signal, IHttpClientFactory httpClients, IConfiguration configuration, ILogger<WitnessSubmitter> logger) : BackgroundService
{
    private const long SubmitterLock = 0x434C_5749_544E; // "CLWITN"
    private readonly TimeSpan _poll = TimeSpan.FromMilliseconds(configuration.GetValue("ClaimLedger:Ledger:CheckpointMilliseconds", 2000));
    // The size last put to each witness and answered (cosigned or refused): asked again only for a newer checkpoint.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _submitted = new();

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (settings.Witnesses.Count == 0) return;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var leader = await dataSource.OpenConnectionAsync(stop);
                await using (var lockCommand = new NpgsqlCommand("select pg_try_advisory_lock(@k)", leader))
                {
                    lockCommand.Parameters.AddWithValue("k", SubmitterLock);
                    if (await lockCommand.ExecuteScalarAsync(stop) is not true)
                    {
                        await Task.Delay(TimeSpan.FromSeconds(2), stop);
                        continue;
                    }
                }
                while (!stop.IsCancellationRequested)
                {
                    if ((await verifier.CheckpointsAsync(stop, latestOnly: true, notesOnly: true)).FirstOrDefault() is { } latest)
                        await Task.WhenAll(settings.Witnesses.Where(w => _submitted.GetValueOrDefault(w.Name) < latest.TreeSize)
                            .Select(w => SubmitAsync(w, latest, stop)));
                    await signal.WaitAsync(_poll, stop);
                    await using var ping = new NpgsqlCommand("select 1", leader);
                    await ping.ExecuteScalarAsync(stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                logger.LogWarning(e, "The witness submitter stopped; it restarts in a moment");
                try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { }
            }
        }
    }

    /// <summary>
    /// Asks one witness to cosign <paramref name="checkpoint"/>. The old size is the one the witness last cosigned; when
    /// it holds another (a 409 says which), the request is made again from that size, once.
    /// </summary>
    public async Task<WitnessReport> SubmitAsync(WitnessTarget witness, Checkpoint checkpoint, CancellationToken ct)
    {
        var before = await reports.ReadAsync(witness.Name, ct) ?? new WitnessReport(witness.Name, 0, true, null);
        var report = await AskAsync(witness, checkpoint, before, ct);
        if (!report.Ok || report.TreeSize == checkpoint.TreeSize) _submitted[witness.Name] = checkpoint.TreeSize;
        if (!report.Ok && before.Ok) logger.LogError("Witness {Witness} refused checkpoint {TreeSize}: {Reason}", witness.Name, checkpoint.TreeSize, report.Reason);
        else if (report.Reason != null && report.Ok) logger.LogWarning("Witness {Witness}: {Reason}", witness.Name, report.Reason);
        await reports.WriteAsync(report, ct);
        return report;
    }

    private async Task<WitnessReport> AskAsync(WitnessTarget witness, Checkpoint checkpoint, WitnessReport before, CancellationToken ct)
    {
        var oldSize = before.TreeSize;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (oldSize > checkpoint.TreeSize)
                return Refused($"the witness holds tree size {oldSize}, beyond this log's {checkpoint.TreeSize}: it has cosigned another view of this log (a split view, or leaves this log lost)");
            HttpResponseMessage response;
            string body;
            try
            {
                var proof = oldSize == 0 ? [] : await ProofAsync(oldSize, checkpoint.TreeSize, ct);
                var request = new AddCheckpointRequest(oldSize, proof, checkpoint.Note!);
                using var http = httpClients.CreateClient(nameof(WitnessSubmitter));
                http.Timeout = settings.SubmitTimeout;
                response = await http.PostAsync(witness.Url + "/add-checkpoint", new StringContent(request.Format(), Encoding.UTF8, "text/plain"), ct);
                body = await response.Content.ReadAsStringAsync(ct);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return before with { Reason = $"not reached: {e.Message}" };
            }
            switch ((int)response.StatusCode)
            {
                case 200:
                    var lines = body.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                        .Where(l => NoteSignature.Parse(l) is { } s && witness.Key.Verifies(checkpoint.NoteText()!, s, out _)).ToList();
                    if (lines.Count == 0) return before with { Reason = "answered 200 without a valid cosignature of its key" };
                    await reports.KeepCosignatureAsync(checkpoint.TreeSize, witness.Name, lines[0], ct);
                    return new WitnessReport(witness.Name, checkpoint.TreeSize, true, null);
                case 409 when long.TryParse(body.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var held) && held != oldSize:
                    oldSize = held;
                    continue;
                case 409:
                    return Refused($"the witness holds another tree of size {oldSize}: it has cosigned another view of this log (a split view)");
                case 422:
                    return Refused($"the witness refused the consistency proof from size {oldSize} to {checkpoint.TreeSize}: the tree it cosigned is not a prefix of this log's (a split view)");
                case 403 or 404:
                    return Refused($"the witness does not accept this log's origin or key ({(int)response.StatusCode} {Shorten(body)})");
                default:
                    return before with { Reason = $"answered {(int)response.StatusCode} {Shorten(body)}" };
            }
        }
        return before with { Reason = "its size kept changing while it was asked" };

        WitnessReport Refused(string reason) => new(witness.Name, before.TreeSize, false, reason);
    }

    private async Task<List<byte[]>> ProofAsync(long from, long to, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await new StoredTree(conn).ComputeAsync(t => t.ConsistencyProof(from, to), ct);
    }

    private static string Shorten(string text) => text.Length <= 200 ? text.Trim() : text[..200] + "…";
}
