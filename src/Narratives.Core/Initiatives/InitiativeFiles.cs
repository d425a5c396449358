using System.Globalization;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using CsvHelper;
using CsvHelper.Configuration;

namespace Narratives.Core.Initiatives;

/// <summary>
/// The register as files: CSV (safe to open in a spreadsheet), XLSX and JSON (schema narratives.initiatives.export/v1,
/// described in data/schemas/initiatives-export-v1.schema.json). The same columns in every format.
/// </summary>
public static class InitiativeFiles
{
    public const string JsonSchema = "narratives.initiatives.export/v1";

    public static readonly string[] Columns =
    [
        "id", "name", "short_description", "description", "scope", "countries", "regions", "sub_regions", "lead_organization",
        "lead_type", "partner_organizations", "themes", "audiences", "languages", "channels", "status", "start_date", "end_date",
        "website", "social_links", "verification", "last_verified_at",
    ];

    static string[] Values(InitiativeDetail i) =>
    [
        i.Id.ToString(CultureInfo.InvariantCulture), i.Name, i.ShortDescription, i.Description, i.Scope,
        Join(i.Countries.Select(c => c.Alpha3)), Join(i.Countries.Select(c => c.Region).Distinct()),
        Join(i.Countries.Select(c => c.SubRegion).Distinct()), i.LeadOrganization, i.LeadType, Join(i.PartnerOrganizations),
        Join(i.Themes), Join(i.Audiences), Join(i.Languages), Join(i.Channels), i.Status,
        i.StartDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", i.EndDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
        i.Website ?? "", Join(i.SocialLinks), i.Verification, i.LastVerifiedAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
    ];

    static string Join(IEnumerable<string> values) => string.Join("; ", values);

    /// <summary>
    /// A cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) is prefixed with
    /// an apostrophe, so that opening an export never runs anything.
    /// </summary>
    public static string DefuseFormula(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    public static async Task WriteCsvAsync(IEnumerable<InitiativeDetail> initiatives, Stream output, CancellationToken ct = default)
    {
        // UTF-8 with a byte-order mark so that spreadsheet programs read Arabic and accents right.
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true);
        await using var csv = new CsvWriter(writer, new CsvConfiguration(CultureInfo.InvariantCulture));
        foreach (var column in Columns) csv.WriteField(column);
        await csv.NextRecordAsync();
        foreach (var initiative in initiatives)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var value in Values(initiative)) csv.WriteField(DefuseFormula(value));
            await csv.NextRecordAsync();
        }
    }

    public static void WriteXlsx(IEnumerable<InitiativeDetail> initiatives, Stream output)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.Worksheets.Add("Initiatives");
        for (var c = 0; c < Columns.Length; c++) sheet.Cell(1, c + 1).Value = Columns[c];
        var row = 2;
        foreach (var initiative in initiatives)
        {
            var values = Values(initiative);
            for (var c = 0; c < values.Length; c++)
            {
                // Set as text, never as a formula, whatever the text starts with.
                var cell = sheet.Cell(row, c + 1);
                cell.SetValue(values[c]);
                cell.DataType = XLDataType.Text;
            }
            row++;
        }
        sheet.Row(1).Style.Font.Bold = true;
        sheet.SheetView.FreezeRows(1);
        workbook.SaveAs(output);
    }

    public static async Task WriteJsonAsync(IEnumerable<InitiativeDetail> initiatives, Stream output, CancellationToken ct = default)
    {
        var document = new
        {
            schema = JsonSchema,
            exported_at = DateTimeOffset.UtcNow,
            initiatives = initiatives.Select(i => Columns.Zip(Values(i)).ToDictionary(p => p.First, p => (object?)Shape(p.First, p.Second))),
        };
        await JsonSerializer.SerializeAsync(output, document, new JsonSerializerOptions { WriteIndented = true }, ct);
    }

    // In JSON, list columns are arrays and the id a number.
    static object? Shape(string column, string value) => column switch
    {
        "id" => long.Parse(value, CultureInfo.InvariantCulture),
        "countries" or "regions" or "sub_regions" or "partner_organizations" or "themes" or "audiences" or "languages" or "channels" or "social_links" =>
            value.Length == 0 ? Array.Empty<string>() : value.Split("; "),
        _ => value.Length == 0 ? null : value,
    };
}
