using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Narratives.Core.Database;

/// <summary>One forward-only schema change: an embedded file named <c>NNNN_description.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string FileName => $"{Name}.sql";
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

public sealed record MigrationResult(int CurrentVersion, IReadOnlyList<string> Applied);

/// <summary>
/// Applies the embedded migrations in order, each in its own transaction, and journals them in
/// <c>schema_migrations</c>. Programs starting together are serialised with an advisory lock.
/// An applied migration is never edited: a changed checksum stops start-up.
/// </summary>
public sealed class Migrator(NpgsqlDataSource db, ILogger<Migrator> logger)
{
    const long AdvisoryLockKey = 0x4e61727261746976; // "Narrativ"
    const string ResourcePrefix = "Narratives.Migrations.";

    public static IReadOnlyList<Migration> Embedded()
    {
        var assembly = typeof(Migrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = Path.GetFileNameWithoutExtension(resource[ResourcePrefix.Length..]);
            var underscore = name.IndexOf('_');
            if (underscore < 1 || !int.TryParse(name[..underscore], out var version))
                throw new MigrationException(name, $"The migration file name must start with a number and an underscore, like 0002_add_rollups.sql.");
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new MigrationException(duplicate.First().FileName, $"Two migrations share the number {duplicate.Key}.");
        return migrations.OrderBy(m => m.Version).ToList();
    }

    public Task<MigrationResult> ApplyAsync(CancellationToken ct = default) => ApplyAsync(Embedded(), ct);

    public async Task<MigrationResult> ApplyAsync(IReadOnlyList<Migration> migrations, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await Execute(conn, "SELECT pg_advisory_lock(@key)", ct, ("key", AdvisoryLockKey));
        try
        {
            await Execute(conn, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, ct);

            var applied = new Dictionary<int, (string Name, string Checksum)>();
            await using (var cmd = new NpgsqlCommand("SELECT version, name, checksum FROM schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    applied[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));

            foreach (var m in migrations.Where(m => applied.ContainsKey(m.Version)))
                if (applied[m.Version].Checksum != m.Checksum)
                    throw new MigrationException(m.FileName,
                        "This migration was changed after it was applied. Applied migrations are never edited: undo the change and add a new numbered migration instead.");

            var newlyApplied = new List<string>();
            foreach (var m in migrations.Where(m => !applied.ContainsKey(m.Version)))
            {
                await using var tx = await conn.BeginTransactionAsync(ct);
                try
                {
                    await using (var cmd = new NpgsqlCommand(m.Sql, conn, tx))
                        await cmd.ExecuteNonQueryAsync(ct);
                    await using (var journal = new NpgsqlCommand(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (@v, @n, @c)", conn, tx))
                    {
                        journal.Parameters.AddWithValue("v", m.Version);
                        journal.Parameters.AddWithValue("n", m.Name);
                        journal.Parameters.AddWithValue("c", m.Checksum);
                        await journal.ExecuteNonQueryAsync(ct);
                    }
                    await tx.CommitAsync(ct);
                }
                catch (PostgresException ex)
                {
                    await tx.RollbackAsync(CancellationToken.None);
                    throw new MigrationException(m.FileName, Describe(ex), ex);
                }
                logger.LogInformation("Applied migration {Migration}", m.FileName);
                newlyApplied.Add(m.FileName);
            }

            var current = migrations.Count == 0 ? 0 : Math.Max(migrations.Max(m => m.Version), applied.Keys.DefaultIfEmpty(0).Max());
            return new MigrationResult(current, newlyApplied);
        }
        finally
        {
            await Execute(conn, "SELECT pg_advisory_unlock(@key)", CancellationToken.None, ("key", AdvisoryLockKey));
        }
    }

    static string Describe(PostgresException ex)
    {
        var text = $"PostgreSQL error {ex.SqlState}: {ex.MessageText}";
        if (!string.IsNullOrEmpty(ex.Detail)) text += $" Detail: {ex.Detail}";
        if (!string.IsNullOrEmpty(ex.Hint)) text += $" Hint: {ex.Hint}";
        if (!string.IsNullOrEmpty(ex.Where)) text += $" Where: {ex.Where}";
        return text;
    }

    static async Task Execute(NpgsqlConnection conn, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

public sealed class MigrationException(string file, string message, Exception? inner = null)
    : Exception($"Migration {file} failed. {message}", inner)
{
    public string File { get; } = file;
}
