using System.Text;
using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Initiatives;
using Narratives.Core.Reference;
using Narratives.Testing;

namespace Narratives.Core.Tests.Initiatives;

public sealed class InitiativeImportTests
{
    static readonly Actor Staff = new(null, null, "Staff tester");

    static async Task<(TestDatabase Db, InitiativeImport Import, InitiativeStore Store)> SetUpAsync(bool demo)
    {
        var server = await PostgresServer.GetAsync();
        var db = await server.CreateDatabaseAsync(withDemoData: demo);
        var taxonomy = Taxonomy.Load();
        return (db, new InitiativeImport(db.DataSource, taxonomy, new InitiativeEditing(db.DataSource, taxonomy)), new InitiativeStore(db.DataSource));
    }

    static async Task<ImportCheck> CheckAsync(InitiativeImport import, ImportTable table) =>
        await import.CheckAsync(table, InitiativeImport.SuggestMapping(table.Headers));

    [Theory]
    [InlineData("csv")]
    [InlineData("xlsx")]
    public async Task Exporting_then_importing_the_list_changes_nothing_and_a_re_import_updates_instead_of_duplicating(string format)
    {
        var (db, import, store) = await SetUpAsync(demo: true);
        await using var _ = db;
        var all = await store.ExportAsync(new InitiativeQuery(), publicOnly: false);
        using var file = new MemoryStream();
        if (format == "csv") await InitiativeFiles.WriteCsvAsync(all, file);
        else InitiativeFiles.WriteXlsx(all, file);

        file.Position = 0;
        var check = await CheckAsync(import, InitiativeImport.Read(file, $"list.{format}"));
        var result = await import.ApplyAsync(check, Staff);

        Assert.Empty(check.Problems);
        Assert.Equal(new ImportResult(0, 0, all.Count), result.Value);
        Assert.Equal(all.Count, (await store.ListPageAsync(new InitiativeQuery(), false)).Total);
    }

    [Fact]
    public async Task A_changed_row_updates_its_initiative_and_a_new_row_creates_one()
    {
        var (db, import, store) = await SetUpAsync(demo: false);
        await using var _ = db;
        const string header = "Name,Scope,Country,Lead organisation,Lead type,Status,Theme,Language\n";
        var first = header + "Story Circles,national,TUN,Civic Lab,civil_society,active,literacy,ar\n";
        var second = header + "Story Circles,national,TUN,Civic Lab,civil_society,completed,literacy,ar\n" +
                     "Bridges,regional,FRA;BEL,Pont,civil_society,active,dialogue,fr\n";

        var one = await import.ApplyAsync(await CheckAsync(import, Read(first)), Staff);
        var two = await import.ApplyAsync(await CheckAsync(import, Read(second)), Staff);

        Assert.Equal(new ImportResult(1, 0, 0), one.Value);
        Assert.Equal(new ImportResult(1, 1, 0), two.Value);
        var page = await store.ListPageAsync(new InitiativeQuery(), false);
        Assert.Equal(2, page.Total);
        Assert.Equal("completed", page.Items.Single(i => i.Name == "Story Circles").Status);
    }

    [Fact]
    public async Task Every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_imported()
    {
        var (db, import, _) = await SetUpAsync(demo: false);
        await using var _ = db;
        const string csv = "name,scope,countries,lead_organization,lead_type,status,themes,start_date\n" +
                           "Good one,national,TUN,Org,academia,active,literacy,2025-01-01\n" +
                           "Bad country,national,XYZ,Org,academia,active,literacy,2025-01-01\n" +
                           "Bad theme,national,TUN,Org,academia,active,peace,2025-01-01\n" +
                           "Bad date,national,TUN,Org,academia,active,literacy,31/31/2025\n";

        var check = await CheckAsync(import, Read(csv));
        var applied = await import.ApplyAsync(check, Staff);

        Assert.Equal([(3, "countries"), (4, "themes"), (5, "start_date")], check.Problems.Select(p => (p.Line, p.Column)));
        Assert.Contains("XYZ", check.Problems[0].Message);
        Assert.False(applied.Succeeded);
        await using var conn = await db.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await conn.ExecuteScalarAsync<int>("SELECT count(*) FROM initiatives"));
    }

    [Fact]
    public async Task A_list_without_a_required_column_says_which()
    {
        var (db, import, _) = await SetUpAsync(demo: false);
        await using var _ = db;

        var check = await CheckAsync(import, Read("name,scope\nA,national\n"));

        Assert.Contains(check.Problems, p => p.Column == "countries" && p.Message.Contains("No column is mapped"));
    }

    static ImportTable Read(string csv) => InitiativeImport.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)), "list.csv");
}
