using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace ClaimLedger.Benchmarks;

/// <summary>
/// What ran beside a measured stretch, so that a slow run can be told from a slow build: the machine's CPU split
/// (<c>/proc/stat</c>: busy, waiting on the disk, stolen by the hypervisor), PostgreSQL's checkpoints and buffer writes
/// (<c>pg_stat_bgwriter</c>), the WAL written and the flushes commits waited for (<c>pg_stat_wal</c>; their time only
/// where <c>track_wal_io_timing</c> is on, as in the benchmark's database), the autovacuum workers seen (sampled every
/// 200 ms), and, given a query of the work's progress, whether it went at an even pace or stood still for a while.
/// </summary>
public sealed class Beside : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly long[] _cpuBefore = Cpu();
    private readonly TimeSpan _ownCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly double[] _writerBefore;
    private readonly Dictionary<string, int> _autovacuum = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly string? _progressSql;
    private readonly List<(TimeSpan At, long Progress)> _progress = [];
    private string? _summary;
    private const int SampleMs = 200;

    /// <summary>The share of the machine's CPU the hypervisor stole during the stretch (once stopped).</summary>
    public double Stolen { get; private set; }

    /// <summary>The share of the machine's CPU that was busy during the stretch, stolen time aside (once stopped).</summary>
    public double Busy { get; private set; }

    /// <summary>This process's share of that busy CPU (once stopped).</summary>
    public double OwnShare { get; private set; }

    /// <summary>How long the stretch lasted (once stopped).</summary>
    public TimeSpan Length { get; private set; }

    /// <summary>The number of WAL flushes during the stretch (once stopped).</summary>
    public long WalFlushes { get; private set; }

    /// <summary>The WAL PostgreSQL wrote during the stretch, in bytes (once stopped).</summary>
    public double WalBytes { get; private set; }

    /// <summary>How long PostgreSQL spent flushing WAL to disk during the stretch, when timed (once stopped).</summary>
    public TimeSpan WalFlushing { get; private set; }

    /// <summary>How long autovacuum workers were seen at work during the stretch, summed over workers (once stopped).</summary>
    public TimeSpan Autovacuum => TimeSpan.FromMilliseconds(_autovacuum.Values.Sum() * SampleMs);

    private Beside(string connectionString, double[] writer, string? progressSql)
    {
        _connectionString = connectionString;
        _writerBefore = writer;
        _progressSql = progressSql;
        _sampling = Task.Run(SampleAsync);
    }

    /// <param name="progressSql">A scalar that grows as the work goes (a shard's sequence number), sampled with the rest.</param>
    public static async Task<Beside> StartAsync(string connectionString, string? progressSql = null) =>
        new(connectionString, await WriterAsync(connectionString), progressSql);

    /// <summary>Stops sampling and says what ran beside the stretch, in one line.</summary>
    public async Task<string> StopAsync()
    {
        if (_summary != null) return _summary;
        var seconds = (Length = _watch.Elapsed).TotalSeconds;
        var cpu = Cpu().Zip(_cpuBefore, (a, b) => a - b).ToArray();
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime - _ownCpuBefore;
        await _stop.CancelAsync();
        try { await _sampling; } catch (OperationCanceledException) { }
        var writer = (await WriterAsync(_connectionString)).Zip(_writerBefore, (a, b) => a - b).ToArray();
        // /proc/stat: user nice system idle iowait irq softirq steal, in clock ticks over every core.
        double total = cpu.Take(8).Sum();
        string Share(long ticks) => total > 0 ? (ticks / total).ToString("P0", CultureInfo.InvariantCulture) : "?";
        var busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6];
        Stolen = total > 0 ? cpu[7] / total : 0;
        WalBytes = writer[4];
        WalFlushing = TimeSpan.FromMilliseconds(writer[6]);
        var flushes = WalFlushes = (long)writer[5];
        // A commit returns once its WAL is on disk: the flushes are what a writer waits for beyond the CPU.
        var wal = $"WAL {WalBytes / 1048576 / seconds:0.0} MB/s in {flushes / seconds:N0} flushes/s" +
                  (flushes > 0 ? $" ({WalBytes / 1024 / flushes:0.0} KB each" +
                                 (WalFlushing > TimeSpan.Zero ? $", {WalFlushing.TotalMicroseconds / flushes:N0} µs each, {WalFlushing.TotalMilliseconds / seconds:N0} ms of flushing a second)" : ")")
                      : "");
        var vacuums = _autovacuum.Count == 0 ? "none"
            : string.Join(", ", _autovacuum.OrderByDescending(a => a.Value).Select(a => $"{a.Key} {a.Value * SampleMs / 1000.0:0.0} s"));
        // Clock ticks are 1/100 s on Linux.
        Busy = total > 0 ? busy / total : 0;
        OwnShare = busy > 0 ? ownCpu.TotalSeconds * 100 / busy : 0;
        var own = busy > 0 ? OwnShare.ToString("P0", CultureInfo.InvariantCulture) : "?";
        return _summary = $"{seconds:0.0} s: CPU busy {Share(busy)} ({own} of it this process), disk wait {Share(cpu[4])}, stolen {Share(cpu[7])}; " +
                          $"checkpoints {writer[0] + writer[1]} ({writer[1]} requested), buffers written by the checkpointer {writer[2]:N0}, " +
                          $"by backends {writer[3]:N0}; {wal}; autovacuum {vacuums}{Pace()}";
    }

    /// <summary>The longest time the progress stood still, and the slowest and fastest whole seconds.</summary>
    private string Pace()
    {
        if (_progressSql is null || _progress.Count < 2) return "";
        var still = TimeSpan.Zero;
        for (int i = 0, from = 0; i < _progress.Count; i++)
        {
            if (_progress[i].Progress != _progress[from].Progress) from = i;
            else if (_progress[i].At - _progress[from].At > still) still = _progress[i].At - _progress[from].At;
        }
        var perSecond = new List<double>();
        for (int i = 0, j = 0; i < _progress.Count; i++)
        {
            while (j < _progress.Count && _progress[j].At - _progress[i].At < TimeSpan.FromSeconds(1)) j++;
            if (j == _progress.Count) break;
            // A rebuild starts by setting its progress back: that second is not a pace.
            if (_progress[j].Progress >= _progress[i].Progress)
                perSecond.Add((_progress[j].Progress - _progress[i].Progress) / (_progress[j].At - _progress[i].At).TotalSeconds);
            i = j - 1;
        }
        return $"; progress stood still for {still.TotalSeconds:0.0} s at most" +
               (perSecond.Count == 0 ? "" : $", whole seconds from {perSecond.Min():N0} to {perSecond.Max():N0} a second");
    }

    private async Task SampleAsync()
    {
        await using var conn = new NpgsqlConnection(_connectionString);
        await conn.OpenAsync(_stop.Token);
        while (!_stop.IsCancellationRequested)
        {
            await using (var cmd = new NpgsqlCommand(
                             "select regexp_replace(query, '^autovacuum: ', '') from pg_stat_activity where backend_type = 'autovacuum worker' and query <> ''", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(_stop.Token))
                while (await reader.ReadAsync(_stop.Token))
                {
                    var what = reader.GetString(0);
                    _autovacuum[what] = _autovacuum.GetValueOrDefault(what) + 1;
                }
            if (_progressSql != null)
                await using (var cmd = new NpgsqlCommand(_progressSql, conn))
                    _progress.Add((_watch.Elapsed, Convert.ToInt64(await cmd.ExecuteScalarAsync(_stop.Token) ?? 0L)));
            await Task.Delay(SampleMs, _stop.Token);
        }
    }

    private static long[] Cpu()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
        var line = File.Exists("/proc/stat") ? File.ReadLines("/proc/stat").First() : "cpu 0 0 0 0 0 0 0 0";
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
    }

    private static async Task<double[]> WriterAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            // The WAL written is read from its insert position, exact; pg_stat_wal's own byte count trails each backend's
            // reports by up to a second. Its flushes are counted only there.
            "select checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_backend, " +
            "pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::float8, wal_sync, wal_sync_time from pg_stat_bgwriter, pg_stat_wal", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return [.. Enumerable.Range(0, 7).Select(i => Convert.ToDouble(reader.GetValue(i), CultureInfo.InvariantCulture))];
    }

    /// <summary>Stops sampling; the figures read once stopped stay readable, so a window's results outlive its scope.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
