using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ClaimLedger.Local;

/// <summary>
/// Finds a PostgreSQL for ClaimLedger when none is configured: a private cluster started from the local server
/// binaries, else a Testcontainers container when Docker answers, else a message that says what to install.
/// The runner, the tests and the benchmarks all come through here, so there is one provisioning path.
/// </summary>
public static class LocalPostgres
{
    public const string ConnectionStringName = "ClaimLedger";

    /// <summary>Where the private cluster lives: <c>.data/postgres</c> beside ClaimLedger.sln (or the working folder).</summary>
    public static string DataRoot()
    {
        var overridden = Environment.GetEnvironmentVariable("CLAIMLEDGER_DATA");
        if (!string.IsNullOrWhiteSpace(overridden)) return Path.GetFullPath(overridden);
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (var d = dir; d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ClaimLedger.sln"))) return Path.Combine(d.FullName, ".data");
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ClaimLedger.sln"))) return Path.Combine(d.FullName, ".data");
        return Path.Combine(Directory.GetCurrentDirectory(), ".data");
    }

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _serverConnectionString;

    /// <summary>
    /// A connection string to a server ClaimLedger provisioned itself (database <c>postgres</c>); started once per process.
    /// </summary>
    public static async Task<string> EnsureServerAsync(Action<string>? log = null, CancellationToken ct = default)
    {
        log ??= Console.WriteLine;
        await Gate.WaitAsync(ct);
        try
        {
            if (_serverConnectionString != null) return _serverConnectionString;
            if (FindOnPath("pg_ctl") is { } pgCtl && FindOnPath("initdb") is { } initdb)
                _serverConnectionString = (await StartPrivateClusterAsync(pgCtl, initdb, DataRoot(), log, ct)).ConnectionString;
            else if (await DockerAnswersAsync())
                _serverConnectionString = await StartContainerAsync(log, ct);
            else
                throw new ProvisioningException(
                    "ClaimLedger needs PostgreSQL and found none. Either set ConnectionStrings__ClaimLedger to a PostgreSQL 15+ " +
                    "database, or install the PostgreSQL server binaries (initdb, pg_ctl on PATH; Debian: apt-get install " +
                    "postgresql), or start a Docker engine so that a PostgreSQL container can be run.");
            return _serverConnectionString;
        }
        finally { Gate.Release(); }
    }

    /// <summary>Creates the database on the provisioned server when missing and returns its connection string.</summary>
    public static async Task<string> EnsureDatabaseAsync(string serverConnectionString, string database, CancellationToken ct = default)
    {
        await using (var conn = new NpgsqlConnection(serverConnectionString))
        {
            await conn.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @n", conn);
            exists.Parameters.AddWithValue("n", database);
            if (await exists.ExecuteScalarAsync(ct) == null)
            {
                try
                {
                    await using var create = new NpgsqlCommand($"create database \"{database.Replace("\"", "\"\"")}\"", conn);
                    await create.ExecuteNonQueryAsync(ct);
                }
                catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
                {
                    // Another process created it first: that is what we wanted.
                }
            }
        }
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = database }.ConnectionString;
    }

    /// <summary>A private cluster of its own under <paramref name="dataRoot"/> (for tests that stop the server).</summary>
    public static Task<PrivateCluster> StartClusterAsync(string dataRoot, Action<string>? log = null, CancellationToken ct = default) =>
        StartPrivateClusterAsync(FindOnPath("pg_ctl") ?? throw new ProvisioningException("pg_ctl is not installed"),
            FindOnPath("initdb") ?? throw new ProvisioningException("initdb is not installed"), dataRoot, log ?? Console.WriteLine, ct);

    /// <summary>A cluster ClaimLedger started itself; it can be stopped and started again.</summary>
    public sealed record PrivateCluster(string ConnectionString, string DataDir, string LogFile, string PgCtl, bool AsRoot)
    {
        public Task StopAsync() => RunAsync(PgCtl, ["-D", DataDir, "-m", "fast", "-w", "stop"], AsRoot, CancellationToken.None);
        public Task StartAsync() => RunAsync(PgCtl, ["-D", DataDir, "-l", LogFile, "-w", "-t", "60", "start"], AsRoot, CancellationToken.None);
    }

    private static async Task<PrivateCluster> StartPrivateClusterAsync(string pgCtl, string initdb, string dataRoot, Action<string> log, CancellationToken ct)
    {
        var asRoot = Environment.UserName == "root" || geteuid() == 0;
        var dataDir = Path.Combine(dataRoot, "postgres");
        if (asRoot && !TraversableByOthers(Path.GetDirectoryName(dataDir)!))
        {
            // The postgres user cannot reach a cluster under a private home folder: keep it beside the system temp.
            var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataDir)))[..12];
            dataDir = Path.Combine("/var/tmp/claimledger", key, "postgres");
        }

        var portFile = Path.Combine(Path.GetDirectoryName(dataDir)!, "postgres.port");
        Directory.CreateDirectory(Path.GetDirectoryName(dataDir)!);
        // Test projects, the runner and the benchmarks may all start at once: one of them provisions, the others wait.
        await using var processLock = await LockAsync(Path.Combine(Path.GetDirectoryName(dataDir)!, "provision.lock"), ct);
        if (!File.Exists(Path.Combine(dataDir, "PG_VERSION")))
        {
            log($"Provisioning a private PostgreSQL cluster in {dataDir} …");
            Directory.CreateDirectory(dataDir);
            if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", Path.GetDirectoryName(dataDir)!], false, ct);
            await RunAsync(initdb, ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"], asRoot, ct);
            var port = FreePort();
            await File.AppendAllTextAsync(Path.Combine(dataDir, "postgresql.conf"),
                $"\n# ClaimLedger private cluster\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n" +
                "max_connections = 300\nshared_buffers = 256MB\nfsync = on\nsynchronous_commit = on\n", ct);
            await File.WriteAllTextAsync(portFile, port.ToString(), ct);
            if (asRoot) await RunAsync("chown", ["-R", "postgres:postgres", Path.GetDirectoryName(dataDir)!], false, ct);
        }

        var portNumber = int.Parse((await File.ReadAllTextAsync(portFile, ct)).Trim());
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = portNumber, Username = "postgres", Database = "postgres",
            MaxPoolSize = 100, Timeout = 15
        }.ConnectionString;

        var logFile = Path.Combine(Path.GetDirectoryName(dataDir)!, "postgres.log");
        var cluster = new PrivateCluster(connectionString, dataDir, logFile, pgCtl, asRoot);
        if (await CanConnectAsync(connectionString, ct)) return cluster;

        log($"Starting the private PostgreSQL cluster on 127.0.0.1:{portNumber} (log: {logFile}) …");
        try
        {
            await RunAsync(pgCtl, ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"], asRoot, ct);
        }
        catch (ProvisioningException e)
        {
            // Another process may have started it at the same moment; if not, the wait below says so.
            log(e.Message);
        }
        for (var i = 0; i < 60 && !await CanConnectAsync(connectionString, ct); i++) await Task.Delay(500, ct);
        if (!await CanConnectAsync(connectionString, ct))
            throw new ProvisioningException($"The private PostgreSQL cluster in {dataDir} did not start; see {logFile}.");
        return cluster;
    }

    private static async Task<FileStream> LockAsync(string path, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (attempt < 600) { await Task.Delay(200, ct); }
        }
    }

    private static async Task<string> StartContainerAsync(Action<string> log, CancellationToken ct)
    {
        log("Starting a PostgreSQL container with Testcontainers …");
        var container = new Testcontainers.PostgreSql.PostgreSqlBuilder("postgres:15-alpine").Build();
        await container.StartAsync(ct);
        return new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { MaxPoolSize = 100 }.ConnectionString;
    }

    private static async Task<bool> CanConnectAsync(string connectionString, CancellationToken ct)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 };
            await using var conn = new NpgsqlConnection(b.ConnectionString);
            await conn.OpenAsync(ct);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static async Task<bool> DockerAnswersAsync()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 }) return true;
        if (!File.Exists("/var/run/docker.sock")) return false;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint("/var/run/docker.sock"));
            return true;
        }
        catch (SocketException) { return false; }
    }

    /// <summary>A TCP port free on the loopback interface right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool TraversableByOthers(string dir)
    {
        for (var d = new DirectoryInfo(dir); d != null; d = d.Parent)
        {
            if (!d.Exists) continue;
            if (!d.UnixFileMode.HasFlag(UnixFileMode.OtherExecute)) return false;
        }
        return true;
    }

    public static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                     .Concat(Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin")) : []))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static async Task RunAsync(string program, string[] args, bool asPostgresUser, CancellationToken ct)
    {
        var psi = asPostgresUser
            ? new ProcessStartInfo("runuser") { ArgumentList = { "-u", "postgres", "--", program } }
            : new ProcessStartInfo(program);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = "/";
        using var process = Process.Start(psi) ?? throw new ProvisioningException($"Could not start {program}.");
        // Drained, never awaited: a server started by pg_ctl may keep inherited pipes open, so this waits for the
        // program to exit, not for its pipes to close.
        _ = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            var err = stderr.IsCompleted ? await stderr : "";
            throw new ProvisioningException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({process.ExitCode}): {err}");
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}

public sealed class ProvisioningException(string message) : Exception(message);
