using System.Diagnostics;

namespace Narratives.Core.LocalDatabase;

/// <summary>Finds the PostgreSQL server programs (initdb, pg_ctl, postgres) on this machine.</summary>
public static class PostgresBinaries
{
    public const string InstallHint =
        "PostgreSQL server programs (initdb, pg_ctl) were not found on this machine. " +
        "Install them (Debian/Ubuntu: `sudo apt-get install postgresql`), or point Narratives at an existing " +
        "database with the setting ConnectionStrings:Narratives (environment variable ConnectionStrings__Narratives).";

    /// <summary>The folder holding initdb and pg_ctl, preferring the given major version when one is asked for.</summary>
    public static string Find(int? majorVersion = null) => Find(Candidates(), majorVersion);

    internal static string Find(IEnumerable<string> places, int? majorVersion)
    {
        var candidates = places.Where(IsServerBinDir).Distinct().ToList();
        if (candidates.Count == 0)
            throw new LocalClusterException(InstallHint);
        if (majorVersion is null)
            return candidates.OrderByDescending(MajorVersionOf).First();

        return candidates.FirstOrDefault(d => MajorVersionOf(d) == majorVersion)
            ?? throw new LocalClusterException(
                $"The local database was created by PostgreSQL {majorVersion}, but only version(s) " +
                $"{string.Join(", ", candidates.Select(MajorVersionOf).Distinct())} are installed. " +
                $"Install PostgreSQL {majorVersion} server programs, or move the local database folder aside to start afresh.");
    }

    static IEnumerable<string> Candidates()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (File.Exists(initdb))
                yield return Path.GetDirectoryName(ResolveLink(initdb))!;
        }

        var fromPgConfig = PgConfigBinDir();
        if (fromPgConfig is not null)
            yield return fromPgConfig;

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
            foreach (var versionDir in Directory.GetDirectories(debianRoot))
                yield return Path.Combine(versionDir, "bin");
    }

    static string ResolveLink(string path)
    {
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
        return target?.FullName ?? path;
    }

    static string? PgConfigBinDir()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("pg_config", "--bindir")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (p is null) return null;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && output.Length > 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // pg_config is not installed; the other places are still searched
        }
    }

    static bool IsServerBinDir(string dir) =>
        File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "postgres"));

    /// <summary>Reads the major version from `postgres --version`.</summary>
    public static int MajorVersionOf(string binDir)
    {
        using var p = Process.Start(new ProcessStartInfo(Path.Combine(binDir, "postgres"), "--version")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        var version = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(t => char.IsDigit(t[0])) ?? "0";
        return int.Parse(version.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class LocalClusterException(string message) : Exception(message);
