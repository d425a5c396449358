using System.Globalization;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using CsvHelper;
using Narratives.Core.Initiatives;

namespace Narratives.Core.Tests.Initiatives;

public sealed class InitiativeFilesTests
{
    static InitiativeDetail Row(string name, string description = "") => new(
        1, null, name, "short", description, "national", "=HYPERLINK(\"http://evil\")", "civil_society", ["+Partner", "Plain"],
        ["literacy"], ["youth", "women"], ["ar"], ["facebook"], "active", new DateOnly(2025, 1, 2), null, "https://x.example.org", [],
        "Contact", "c@example.org", "verified", new DateTimeOffset(2026, 3, 4, 0, 0, 0, TimeSpan.Zero), "", false, null, 1,
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow)
    { Countries = [new InitiativeCountry("TUN", "Tunisia", "Africa", "Northern Africa")] };

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+33 1 23", "'+33 1 23")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "'\rcmd")]
    [InlineData("Plain text", "Plain text")]
    [InlineData("", "")]
    [InlineData("a=b", "a=b")]
    public void Cells_a_spreadsheet_would_run_are_defused(string value, string expected) =>
        Assert.Equal(expected, InitiativeFiles.DefuseFormula(value));

    [Fact]
    public async Task The_csv_has_a_bom_a_header_and_defused_cells_and_reads_back()
    {
        using var stream = new MemoryStream();

        await InitiativeFiles.WriteCsvAsync([Row("سرديات, \"quoted\" name", "-starts with minus")], stream);

        var bytes = stream.ToArray();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        using var reader = new CsvReader(new StringReader(Encoding.UTF8.GetString(bytes[3..])), CultureInfo.InvariantCulture);
        await reader.ReadAsync();
        reader.ReadHeader();
        Assert.Equal(InitiativeFiles.Columns, reader.HeaderRecord);
        await reader.ReadAsync();
        Assert.Equal("سرديات, \"quoted\" name", reader.GetField("name"));
        Assert.Equal("'-starts with minus", reader.GetField("description"));
        Assert.Equal("'=HYPERLINK(\"http://evil\")", reader.GetField("lead_organization"));
        Assert.Equal("'+Partner; Plain", reader.GetField("partner_organizations"));
        Assert.Equal("TUN", reader.GetField("countries"));
        Assert.Equal("Northern Africa", reader.GetField("sub_regions"));
    }

    [Fact]
    public void The_xlsx_holds_every_value_as_text_never_as_a_formula()
    {
        using var stream = new MemoryStream();

        InitiativeFiles.WriteXlsx([Row("Name")], stream);

        stream.Position = 0;
        using var workbook = new XLWorkbook(stream);
        var sheet = workbook.Worksheet("Initiatives");
        var leadColumn = Array.IndexOf(InitiativeFiles.Columns, "lead_organization") + 1;
        var cell = sheet.Cell(2, leadColumn);
        Assert.False(cell.HasFormula);
        Assert.Equal("=HYPERLINK(\"http://evil\")", cell.GetString());
        Assert.Equal("name", sheet.Cell(1, 2).GetString());
    }

    [Fact]
    public async Task The_json_names_its_schema_and_gives_lists_as_arrays()
    {
        using var stream = new MemoryStream();

        await InitiativeFiles.WriteJsonAsync([Row("Name")], stream);

        using var document = JsonDocument.Parse(stream.ToArray());
        Assert.Equal("narratives.initiatives.export/v1", document.RootElement.GetProperty("schema").GetString());
        var first = document.RootElement.GetProperty("initiatives")[0];
        Assert.Equal(1, first.GetProperty("id").GetInt64());
        Assert.Equal(["youth", "women"], first.GetProperty("audiences").EnumerateArray().Select(a => a.GetString()));
        Assert.False(first.TryGetProperty("contact_email", out _));
    }
}
