using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Dapper;
using Npgsql;

namespace Narratives.Core.Reference;

/// <summary>An ISO 3166-1 country with its UN M49 region, sub-region and intermediate region.</summary>
public sealed record Country(string Alpha3, string Alpha2, string NumericCode, string Name, string Region, string SubRegion, string IntermediateRegion);

/// <summary>Keeps the countries table equal to the shipped data/reference/countries.csv.</summary>
public static class CountryReference
{
    public static IReadOnlyList<Country> ReadCsv(string? path = null)
    {
        path ??= DataFiles.Path("reference", "countries.csv");
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        var rows = new List<Country>();
        csv.Read();
        csv.ReadHeader();
        while (csv.Read())
            rows.Add(new Country(
                csv.GetField("alpha3")!, csv.GetField("alpha2")!, csv.GetField("numeric")!, csv.GetField("name")!,
                csv.GetField("region") ?? "", csv.GetField("sub_region") ?? "", csv.GetField("intermediate_region") ?? ""));
        return rows;
    }

    /// <summary>Inserts new countries and corrects changed names or regions, in one statement.</summary>
    /// <summary>The ISO 3166-1 alpha-3 codes the database knows, for validating what people type.</summary>
    public static async Task<HashSet<string>> CodesAsync(NpgsqlConnection conn, CancellationToken ct = default) =>
        (await conn.QueryAsync<string>(new CommandDefinition("SELECT alpha3 FROM countries", cancellationToken: ct))).ToHashSet();

    public static async Task SyncAsync(NpgsqlDataSource db, IReadOnlyList<Country> countries, CancellationToken ct = default)
    {
        const string sql = """
            INSERT INTO countries (alpha3, alpha2, numeric_code, name, region, sub_region, intermediate_region)
            SELECT u.alpha3, u.alpha2, u.numeric_code, u.name, u.region, u.sub_region, u.intermediate_region
            FROM unnest(@alpha3::text[], @alpha2::text[], @numeric::text[], @name::text[], @region::text[], @sub::text[], @inter::text[])
                AS u(alpha3, alpha2, numeric_code, name, region, sub_region, intermediate_region)
            ON CONFLICT (alpha3) DO UPDATE SET
                alpha2 = excluded.alpha2, numeric_code = excluded.numeric_code, name = excluded.name,
                region = excluded.region, sub_region = excluded.sub_region, intermediate_region = excluded.intermediate_region
            WHERE (countries.alpha2, countries.numeric_code, countries.name, countries.region, countries.sub_region, countries.intermediate_region)
               IS DISTINCT FROM (excluded.alpha2, excluded.numeric_code, excluded.name, excluded.region, excluded.sub_region, excluded.intermediate_region)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            alpha3 = countries.Select(c => c.Alpha3).ToArray(),
            alpha2 = countries.Select(c => c.Alpha2).ToArray(),
            numeric = countries.Select(c => c.NumericCode).ToArray(),
            name = countries.Select(c => c.Name).ToArray(),
            region = countries.Select(c => c.Region).ToArray(),
            sub = countries.Select(c => c.SubRegion).ToArray(),
            inter = countries.Select(c => c.IntermediateRegion).ToArray(),
        }, cancellationToken: ct));
    }
}
