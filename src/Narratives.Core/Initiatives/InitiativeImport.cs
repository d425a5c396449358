using System.Globalization;
using ClosedXML.Excel;
using CsvHelper;
using CsvHelper.Configuration;
using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Reference;
using Npgsql;

namespace Narratives.Core.Initiatives;

/// <summary>An uploaded list: its header and rows, each with the line it came from.</summary>
public sealed record ImportTable(IReadOnlyList<string> Headers, IReadOnlyList<(int Line, string[] Cells)> Rows);

public sealed record ImportProblem(int Line, string Column, string Message);

public sealed record ImportCheck(IReadOnlyList<(int Line, InitiativeInput Input)> Rows, IReadOnlyList<ImportProblem> Problems)
{
    public IReadOnlySet<string> MappedFields { get; init; } = new HashSet<string>();
}

public sealed record ImportResult(int Created, int Updated, int Unchanged);

/// <summary>
/// Bringing in an existing list of initiatives from CSV or XLSX: read, map columns, check every row (with its line
/// number), then apply all rows in one transaction or none. A re-import updates the same initiatives rather than
/// duplicating them: rows match on name and lead organization.
/// </summary>
public sealed class InitiativeImport(NpgsqlDataSource db, Taxonomy taxonomy, InitiativeEditing editing)
{
    /// <summary>The fields a column can be mapped to; the export's column names map themselves.</summary>
    public static readonly string[] Fields =
    [
        "name", "short_description", "description", "scope", "countries", "lead_organization", "lead_type",
        "partner_organizations", "themes", "audiences", "languages", "channels", "status", "start_date", "end_date", "website",
        "social_links", "notes",
    ];

    public static readonly string[] Required = ["name", "scope", "countries", "lead_organization", "lead_type", "status"];

    public static ImportTable Read(Stream content, string fileName)
    {
        if (fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            using var workbook = new XLWorkbook(content);
            var sheet = workbook.Worksheets.First();
            var used = sheet.RangeUsed() ?? throw new InvalidDataException("The spreadsheet is empty.");
            var width = used.ColumnCount();
            var headers = Enumerable.Range(1, width).Select(c => sheet.Cell(1, c).GetString().Trim()).ToList();
            var rows = new List<(int, string[])>();
            for (var r = 2; r <= used.LastRow().RowNumber(); r++)
            {
                var cells = Enumerable.Range(1, width).Select(c => sheet.Cell(r, c).GetString()).ToArray();
                if (cells.Any(c => c.Length > 0)) rows.Add((r, cells));
            }
            return new ImportTable(headers, rows);
        }

        using var reader = new StreamReader(content, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { DetectDelimiter = true, BadDataFound = null });
        if (!csv.Read() || !csv.ReadHeader()) throw new InvalidDataException("The file is empty: there is no header line.");
        var header = csv.HeaderRecord!.Select(h => h.Trim()).ToList();
        var list = new List<(int, string[])>();
        while (csv.Read())
        {
            var cells = Enumerable.Range(0, header.Count).Select(i => csv.TryGetField<string>(i, out var v) ? Undefuse(v ?? "") : "").ToArray();
            if (cells.Any(c => c.Length > 0)) list.Add((csv.Parser.RawRow, cells));
        }
        return new ImportTable(header, list);
    }

    // Our own CSV export protects cells with a leading apostrophe; reading it back takes that off.
    static string Undefuse(string value) =>
        value.Length > 1 && value[0] == '\'' && value[1] is '=' or '+' or '-' or '@' or '\t' or '\r' ? value[1..] : value;

    /// <summary>Which header each field most likely is (by name), for the person to confirm or change.</summary>
    public static Dictionary<string, int?> SuggestMapping(IReadOnlyList<string> headers)
    {
        static string Key(string s) => new(s.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray());
        var byKey = headers.Select((h, i) => (Key(h), i)).GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => g.First().i);
        var aliases = new Dictionary<string, string[]>
        {
            ["countries"] = ["country", "countriesiso3", "iso3"],
            ["lead_organization"] = ["lead", "leadorganisation", "organization", "organisation"],
            ["partner_organizations"] = ["partners", "partnerorganisations"],
            ["languages"] = ["language"],
            ["themes"] = ["theme"],
            ["audiences"] = ["audience"],
        };
        return Fields.ToDictionary(f => f, f =>
        {
            if (byKey.TryGetValue(Key(f), out var i)) return (int?)i;
            foreach (var alias in aliases.GetValueOrDefault(f, []))
                if (byKey.TryGetValue(alias, out var j)) return j;
            return null;
        });
    }

    public async Task<ImportCheck> CheckAsync(ImportTable table, IReadOnlyDictionary<string, int?> mapping, CancellationToken ct = default)
    {
        var problems = new List<ImportProblem>();
        foreach (var field in Required.Where(f => mapping.GetValueOrDefault(f) is null))
            problems.Add(new ImportProblem(1, field, $"No column is mapped to '{field}', which every initiative needs."));
        if (problems.Count > 0) return new ImportCheck([], problems);

        await using var conn = await db.OpenConnectionAsync(ct);
        var countries = (await conn.QueryAsync<string>(new CommandDefinition("SELECT alpha3 FROM countries", cancellationToken: ct))).ToHashSet();
        var rows = new List<(int, InitiativeInput)>();
        foreach (var (line, cells) in table.Rows)
        {
            string Get(string field) => mapping.GetValueOrDefault(field) is { } i && i < cells.Length ? cells[i].Trim() : "";
            // Lists are separated by semicolons (as exported); a cell without any may use commas.
            string[] List(string field)
            {
                var text = Get(field);
                return text.Split(text.Contains(';') ? [';'] : [','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
            DateOnly? Date(string field)
            {
                var text = Get(field);
                if (text.Length == 0) return null;
                if (DateOnly.TryParse(text, CultureInfo.InvariantCulture, out var d)) return d;
                problems.Add(new ImportProblem(line, table.Headers[mapping[field]!.Value], $"'{text}' is not a date; write it as 2025-03-31."));
                return null;
            }
            var input = new InitiativeInput(Get("name"), Get("short_description"), Get("description"), Get("scope"), List("countries"),
                Get("lead_organization"), Get("lead_type"), List("partner_organizations"), List("themes"), List("audiences"),
                List("languages"), List("channels"), Get("status"), Date("start_date"), Date("end_date"),
                Get("website") is { Length: > 0 } w ? w : null, List("social_links"), null, null, Get("notes"));
            foreach (var (field, message) in input.Validate(taxonomy, countries))
            {
                var column = ColumnOf(field, mapping, table.Headers);
                problems.Add(new ImportProblem(line, column, message));
            }
            rows.Add((line, input));
        }
        return new ImportCheck(rows, problems.OrderBy(p => p.Line).ToList())
        {
            MappedFields = mapping.Where(m => m.Value is not null).Select(m => m.Key).ToHashSet(),
        };
    }

    static string ColumnOf(string inputField, IReadOnlyDictionary<string, int?> mapping, IReadOnlyList<string> headers)
    {
        var snake = string.Concat(inputField.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
        return mapping.GetValueOrDefault(snake) is { } i ? headers[i] : snake;
    }

    /// <summary>All rows or none. Rows matching an existing initiative (same name and lead organization) update it.</summary>
    public async Task<Outcome<ImportResult>> ApplyAsync(ImportCheck check, Actor actor, CancellationToken ct = default)
    {
        if (check.Problems.Count > 0)
            return Outcome<ImportResult>.Invalid("File", $"Fix the {check.Problems.Count} problem(s) first; nothing was imported.");
        var duplicates = check.Rows.GroupBy(r => Identity(r.Input)).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
            return Outcome<ImportResult>.Invalid("File", "These lines describe the same initiative (same name and lead organization): " +
                string.Join("; ", duplicates.Select(g => string.Join(", ", g.Select(r => r.Line)))) + ".");

        var result = await editing.ImportAsync(check.Rows.Select(r => r.Input).ToList(), check.MappedFields, actor, ct);
        return Outcome<ImportResult>.Ok(result);
    }

    static (string, string) Identity(InitiativeInput i) => (i.Name.Trim().ToLowerInvariant(), i.LeadOrganization.Trim().ToLowerInvariant());
}
