using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Narratives.Core.LocalDatabase;

/// <summary>
/// A PostgreSQL cluster of Narratives' own, for when no database is configured: created on first use under a
/// state folder, started on 127.0.0.1 on a free port, reused on the next start. When the process runs as root the
/// server runs as the <c>postgres</c> system user, since PostgreSQL refuses to run as root.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    const string SuperUser = "narratives";
    const string ServiceAccount = "postgres";
    const string InUseFile = "in-use.lock";

    readonly string binDir;
    readonly bool runAsServiceAccount;
    readonly ILogger logger;
    FileStream? use;

    public string StateDirectory { get; }
    public string DataDirectory { get; }
    public string ConnectionString { get; }
    public int Port { get; }
    /// <summary>True when this process started the server (and so stops it); false when it found it running.</summary>
    public bool StartedHere { get; }

    LocalCluster(string stateDirectory, string dataDirectory, string binDir, bool runAsServiceAccount, int port,
        string connectionString, bool startedHere, FileStream use, ILogger logger)
    {
        this.use = use;
        StateDirectory = stateDirectory;
        DataDirectory = dataDirectory;
        this.binDir = binDir;
        this.runAsServiceAccount = runAsServiceAccount;
        Port = port;
        ConnectionString = connectionString;
        StartedHere = startedHere;
        this.logger = logger;
    }

    /// <summary>Creates (first time) or reuses the cluster under <paramref name="options"/>.StateDirectory and makes sure it is running.</summary>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions options, ILogger logger, CancellationToken ct = default)
    {
        var stateDir = Path.GetFullPath(options.StateDirectory);
        Directory.CreateDirectory(stateDir);
        await using var stateLock = await AcquireLockAsync(Path.Combine(stateDir, ".lock"), ct);

        var asRoot = IsRoot();
        if (asRoot && !ServiceAccountExists())
            throw new LocalClusterException(
                $"Narratives is running as root, so its local PostgreSQL must run as the '{ServiceAccount}' system user, which does not exist. " +
                "Install the postgresql package (it creates that user), run as a normal user, or set ConnectionStrings:Narratives.");

        var dataDir = await ResolveDataDirectoryAsync(stateDir, asRoot, ct);
        var existingVersion = ReadClusterVersion(dataDir);
        var binDir = PostgresBinaries.Find(existingVersion);
        var password = ReadOrCreatePassword(stateDir);

        if (existingVersion is null)
        {
            logger.LogInformation("Creating a local PostgreSQL cluster in {DataDirectory}", dataDir);
            await InitDbAsync(binDir, dataDir, password, asRoot, ct);
        }

        // Every program using the server holds this file open (a shared lock) until it ends, taken under the start lock,
        // so the program that started the server can tell whether another one still uses it before stopping it.
        var use = new FileStream(Path.Combine(stateDir, InUseFile), FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            bool startedHere;
            int port;
            if (await IsRunningAsync(binDir, dataDir, asRoot, ct) && ReadRunningPort(dataDir) is { } runningPort)
            {
                port = runningPort;
                startedHere = false;
                logger.LogInformation("Using the local PostgreSQL already running on port {Port}", port);
            }
            else
            {
                port = options.Port ?? FreeLoopbackPort();
                await StartServerAsync(binDir, dataDir, port, options.Durable, asRoot, ct);
                startedHere = true;
                logger.LogInformation("Started local PostgreSQL on 127.0.0.1:{Port} (data in {DataDirectory})", port, dataDir);
            }

            var connectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = SuperUser,
                Password = password,
                Database = options.DatabaseName,
            }.ConnectionString;

            var cluster = new LocalCluster(stateDir, dataDir, binDir, asRoot, port, connectionString, startedHere, use, logger);
            await cluster.EnsureDatabaseAsync(options.DatabaseName, ct);
            return cluster;
        }
        catch
        {
            await use.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string for another database on the same server (tests make one per test).</summary>
    public string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database }.ConnectionString;

    async Task EnsureDatabaseAsync(string name, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await conn.OpenAsync(ct);
        await using (var check = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", conn))
        {
            check.Parameters.AddWithValue("name", name);
            if (await check.ExecuteScalarAsync(ct) is not null) return;
        }
        // A database name cannot be a parameter; it is quoted as an identifier instead.
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"", conn);
        await create.ExecuteNonQueryAsync(ct);
    }

    public async Task StopAsync(CancellationToken ct = default)
    {
        var result = await RunAsync(binDir, "pg_ctl", ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-t", "60"], runAsServiceAccount, ct);
        if (result.ExitCode != 0)
            logger.LogWarning("Stopping local PostgreSQL failed: {Output}", result.Output);
        else
            logger.LogInformation("Stopped local PostgreSQL");
    }

    int disposed;

    /// <summary>
    /// Lets go of the server. The program that started it stops it, unless another program (a second dashboard, a
    /// command line) started using it meanwhile: then it is left running for that one, which stops nothing itself.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1) return;
        NpgsqlConnection.ClearAllPools();
        if (!StartedHere)
        {
            ReleaseUse();
            return;
        }
        await using var stateLock = await AcquireLockAsync(Path.Combine(StateDirectory, ".lock"), CancellationToken.None);
        ReleaseUse();
        if (IsInUseByOthers())
        {
            logger.LogInformation("Left the local PostgreSQL running: another Narratives program is using it");
            return;
        }
        await StopAsync();
    }

    void ReleaseUse()
    {
        use?.Dispose();
        use = null;
    }

    bool IsInUseByOthers()
    {
        try
        {
            using var alone = new FileStream(Path.Combine(StateDirectory, InUseFile), FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Stops the server if running and deletes everything the cluster kept (throw-away test clusters).</summary>
    public async Task DestroyAsync()
    {
        NpgsqlConnection.ClearAllPools();
        ReleaseUse();
        await StopAsync();
        TryDelete(DataDirectory);
        TryDelete(StateDirectory);
        var parent = Path.GetDirectoryName(DataDirectory);
        if (parent is not null && parent != StateDirectory && Path.GetFileName(parent).StartsWith("cluster-", StringComparison.Ordinal))
            TryDelete(parent);
    }

    static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { } // a leftover temp folder is harmless; the server is already stopped
        catch (UnauthorizedAccessException) { }
    }

    // ---------- where things live

    /// <summary>
    /// The data folder sits in the state folder, unless the server's user could not reach it (root running from a
    /// checkout under a private home): then it sits under /var/lib/narratives, named after the state folder.
    /// </summary>
    static async Task<string> ResolveDataDirectoryAsync(string stateDir, bool asRoot, CancellationToken ct)
    {
        var inState = Path.Combine(stateDir, "pgdata");
        if (!asRoot || (await RunProcessAsync("runuser", ["-u", ServiceAccount, "--", "test", "-x", stateDir], ct)).ExitCode == 0)
            return inState;

        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stateDir)))[..16];
        var outside = Path.Combine("/var/lib/narratives", $"cluster-{key}", "pgdata");
        File.WriteAllText(Path.Combine(stateDir, "pgdata-location.txt"),
            $"The PostgreSQL data of this local database is kept in {outside}, because the '{ServiceAccount}' user cannot enter this folder.\n");
        return outside;
    }

    static int? ReadClusterVersion(string dataDir)
    {
        var file = Path.Combine(dataDir, "PG_VERSION");
        return File.Exists(file) ? int.Parse(File.ReadAllText(file).Trim(), System.Globalization.CultureInfo.InvariantCulture) : null;
    }

    static string ReadOrCreatePassword(string stateDir)
    {
        var file = Path.Combine(stateDir, "password");
        if (File.Exists(file)) return File.ReadAllText(file).Trim();
        var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        File.WriteAllText(file, password);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return password;
    }

    static int? ReadRunningPort(string dataDir)
    {
        // postmaster.pid: line 4 holds the port.
        var pidFile = Path.Combine(dataDir, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3].Trim(), out var port) ? port : null;
    }

    static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // ---------- server programs

    static async Task InitDbAsync(string binDir, string dataDir, string password, bool asRoot, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDir);
        var pwFile = Path.Combine(Path.GetDirectoryName(dataDir)!, $".pw-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(pwFile, password, ct);
        try
        {
            if (asRoot)
            {
                // The dedicated folder outside the state folder belongs to the server's user; the state folder stays ours.
                var parent = Path.GetDirectoryName(dataDir)!;
                if (Path.GetFileName(parent).StartsWith("cluster-", StringComparison.Ordinal))
                    await ChownToServiceAccountAsync(parent, recursive: false, ct);
                await ChownToServiceAccountAsync(dataDir, recursive: true, ct);
                await ChownToServiceAccountAsync(pwFile, recursive: false, ct);
            }
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            var result = await RunAsync(binDir, "initdb",
                ["-D", dataDir, "-U", SuperUser, "--pwfile", pwFile, "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
                 "--encoding=UTF8", "--no-locale", "--no-instructions"], asRoot, ct);
            if (result.ExitCode != 0)
            {
                TryDelete(dataDir);
                throw new LocalClusterException($"initdb failed to create the local database in {dataDir}:\n{result.Output}");
            }
        }
        finally
        {
            File.Delete(pwFile);
        }
    }

    static async Task<bool> IsRunningAsync(string binDir, string dataDir, bool asRoot, CancellationToken ct) =>
        (await RunAsync(binDir, "pg_ctl", ["status", "-D", dataDir], asRoot, ct)).ExitCode == 0;

    static async Task StartServerAsync(string binDir, string dataDir, int port, bool durable, bool asRoot, CancellationToken ct)
    {
        var logFile = Path.Combine(dataDir, "server.log");
        // No unix socket: the default socket folder may not be writable, and TCP on loopback is all we use.
        var settings = $"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c max_connections=200";
        if (!durable)
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        var result = await RunAsync(binDir, "pg_ctl", ["start", "-D", dataDir, "-w", "-t", "60", "-l", logFile, "-o", settings], asRoot, ct);
        if (result.ExitCode != 0)
        {
            var log = File.Exists(logFile) ? string.Join('\n', File.ReadLines(logFile).TakeLast(15)) : "";
            throw new LocalClusterException($"The local PostgreSQL in {dataDir} did not start:\n{result.Output}\n{log}");
        }
    }

    static async Task ChownToServiceAccountAsync(string path, bool recursive, CancellationToken ct)
    {
        string[] args = recursive ? ["-R", $"{ServiceAccount}:", path] : [$"{ServiceAccount}:", path];
        var result = await RunProcessAsync("chown", args, ct);
        if (result.ExitCode != 0)
            throw new LocalClusterException($"Could not give {path} to the '{ServiceAccount}' user: {result.Output}");
    }

    static bool ServiceAccountExists() =>
        File.ReadLines("/etc/passwd").Any(l => l.StartsWith(ServiceAccount + ":", StringComparison.Ordinal));

    static Task<ProcessResult> RunAsync(string binDir, string program, IReadOnlyList<string> args, bool asServiceAccount, CancellationToken ct)
    {
        var exe = Path.Combine(binDir, program);
        return asServiceAccount
            ? RunProcessAsync("runuser", ["-u", ServiceAccount, "--", exe, .. args], ct)
            : RunProcessAsync(exe, args, ct);
    }

    static async Task<ProcessResult> RunProcessAsync(string fileName, IReadOnlyList<string> args, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The server must not inherit a working folder its user cannot enter.
            WorkingDirectory = "/",
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new LocalClusterException($"Could not start {fileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return new ProcessResult(process.ExitCode, (await stdout + await stderr).Trim());
    }

    sealed record ProcessResult(int ExitCode, string Output);

    static async Task<FileStream> AcquireLockAsync(string path, CancellationToken ct)
    {
        // Two programs starting at once (the dashboard and a command line) must not both initdb or start the server.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    [DllImport("libc", EntryPoint = "geteuid")]
    static extern uint GetEffectiveUserId();

    static bool IsRoot() => OperatingSystem.IsLinux() && GetEffectiveUserId() == 0;
}

/// <param name="StateDirectory">Folder for the cluster's password, lock and (usually) data.</param>
/// <param name="DatabaseName">The application database created inside the cluster.</param>
/// <param name="Port">A fixed port, or null for a free one chosen at start.</param>
/// <param name="Durable">False turns off fsync for throw-away test clusters.</param>
public sealed record LocalClusterOptions(string StateDirectory, string DatabaseName = "narratives", int? Port = null, bool Durable = true);
