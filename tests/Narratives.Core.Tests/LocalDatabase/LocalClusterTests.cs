using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core.LocalDatabase;
using Npgsql;

namespace Narratives.Core.Tests.LocalDatabase;

public sealed class LocalClusterTests
{
    [Fact]
    public async Task A_cluster_is_created_once_reused_while_running_and_keeps_its_data_across_restarts()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"narratives-cluster-test-{Guid.NewGuid():N}");
        var options = new LocalClusterOptions(dir, Durable: false);
        var first = await LocalCluster.StartAsync(options, NullLogger.Instance);
        try
        {
            Assert.True(first.StartedHere);
            await using (var conn = new NpgsqlConnection(first.ConnectionString))
            {
                await conn.ExecuteAsync("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
            }

            // A second program finds the server running and uses it without starting another.
            var second = await LocalCluster.StartAsync(options, NullLogger.Instance);
            Assert.False(second.StartedHere);
            Assert.Equal(first.Port, second.Port);
            await second.DisposeAsync();
            await using (var conn = new NpgsqlConnection(first.ConnectionString))
                Assert.Equal(1, await conn.ExecuteScalarAsync<int>("SELECT 1"));

            await first.DisposeAsync();
            await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
            {
                await using var conn = new NpgsqlConnection(first.ConnectionString);
                await conn.OpenAsync();
            });

            first = await LocalCluster.StartAsync(options, NullLogger.Instance);
            Assert.True(first.StartedHere);
            await using (var conn = new NpgsqlConnection(first.ConnectionString))
                Assert.Equal("still here", await conn.ExecuteScalarAsync<string>("SELECT note FROM kept"));
        }
        finally
        {
            await first.DestroyAsync();
        }
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_password_is_generated_per_cluster_and_kept_private()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"narratives-cluster-test-{Guid.NewGuid():N}");
        var cluster = await LocalCluster.StartAsync(new LocalClusterOptions(dir, Durable: false), NullLogger.Instance);
        try
        {
            var passwordFile = Path.Combine(dir, "password");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwordFile));
            Assert.Equal(await File.ReadAllTextAsync(passwordFile), new NpgsqlConnectionStringBuilder(cluster.ConnectionString).Password);
            await using var wrong = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Password = "wrong" }.ConnectionString);
            var ex = await Assert.ThrowsAsync<PostgresException>(() => wrong.OpenAsync());
            Assert.Equal(PostgresErrorCodes.InvalidPassword, ex.SqlState);
        }
        finally
        {
            await cluster.DestroyAsync();
        }
    }

    [Fact]
    public void The_server_programs_are_found_on_this_machine()
    {
        var bin = PostgresBinaries.Find();

        Assert.True(File.Exists(Path.Combine(bin, "initdb")));
        Assert.True(PostgresBinaries.MajorVersionOf(bin) >= 13);
    }

    [Fact]
    public void Asking_for_a_postgres_version_that_is_not_installed_says_what_to_do()
    {
        var ex = Assert.Throws<LocalClusterException>(() => PostgresBinaries.Find(majorVersion: 9));

        Assert.Contains("PostgreSQL 9", ex.Message);
        Assert.Contains("Install", ex.Message);
    }

    [Fact]
    public void With_no_server_programs_anywhere_the_error_says_what_to_install_or_configure()
    {
        var ex = Assert.Throws<LocalClusterException>(() => PostgresBinaries.Find([Path.GetTempPath(), "/nonexistent/bin"], null));

        Assert.Contains("apt-get install postgresql", ex.Message);
        Assert.Contains("ConnectionStrings__Narratives", ex.Message);
    }
}
