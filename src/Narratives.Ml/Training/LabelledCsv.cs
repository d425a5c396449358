using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Narratives.Core;

namespace Narratives.Ml.Training;

/// <summary>The problem with a CSV file, naming the file, and the line or column where it can be found.</summary>
public sealed class CsvInputException(string message) : Exception(message);

/// <summary>Reads labelled (or unlabelled) texts from any CSV file with a header row.</summary>
public static class LabelledCsv
{
    static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The shipped training corpus.</summary>
    public static string CorpusPath => DataFiles.Path("training", "corpus.csv");

    public static IReadOnlyList<LabelledText> ReadCorpus(string? path = null, string labelColumn = "theme", bool multiLabel = false) =>
        Read(path ?? CorpusPath, "text", labelColumn, multiLabel, ';', "language");

    public static IReadOnlyList<LabelledText> Read(string path, string textColumn, string labelColumn, bool multiLabel, char separator = ';',
        string? languageColumn = null)
    {
        var rows = new List<LabelledText>();
        ReadRows(path, [textColumn, labelColumn], languageColumn, (line, fields, language) =>
        {
            var labels = multiLabel
                ? fields[1].Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList()
                : [fields[1].Trim()];
            if (labels.Count == 0 || labels[0].Length == 0)
                throw new CsvInputException($"{Path.GetFileName(path)}, line {line}: the '{labelColumn}' column is empty.");
            rows.Add(new LabelledText(fields[0], labels, language));
        });
        if (rows.Count == 0) throw new CsvInputException($"{Path.GetFileName(path)} has a header but no rows.");
        return rows;
    }

    public static IReadOnlyList<string> ReadTexts(string path, string textColumn)
    {
        var texts = new List<string>();
        ReadRows(path, [textColumn], null, (_, fields, _) => texts.Add(fields[0]));
        if (texts.Count == 0) throw new CsvInputException($"{Path.GetFileName(path)} has a header but no rows.");
        return texts;
    }

    static void ReadRows(string path, string[] columns, string? languageColumn, Action<int, string[], string?> row)
    {
        var name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new CsvInputException($"{path}: no such file.");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new CsvInputException($"{name} is empty.");
        string content;
        try { content = StrictUtf8.GetString(bytes); }
        catch (DecoderFallbackException ex)
        {
            throw new CsvInputException($"{name} is not UTF-8 text (invalid bytes at offset {ex.Index}). Save it as UTF-8 and try again.");
        }
        if (content.Length > 0 && content[0] == '\uFEFF') content = content[1..];
        if (string.IsNullOrWhiteSpace(content)) throw new CsvInputException($"{name} is empty.");

        using var csv = new CsvReader(new StringReader(content), new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            BadDataFound = null,
            MissingFieldFound = null,
        });
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header)
            throw new CsvInputException($"{name} has no header row.");
        var indexes = columns.Select(c => Index(header, c, name)).ToArray();
        var languageIndex = languageColumn is null ? -1 : Array.FindIndex(header, h => string.Equals(h.Trim(), languageColumn, StringComparison.OrdinalIgnoreCase));
        while (csv.Read())
        {
            var line = csv.Parser.RawRow;
            var fields = indexes.Select(i => csv.GetField(i) ?? "").ToArray();
            if (fields.All(string.IsNullOrWhiteSpace)) continue;
            if (string.IsNullOrWhiteSpace(fields[0]))
                throw new CsvInputException($"{name}, line {line}: the '{columns[0]}' column is empty.");
            var language = languageIndex >= 0 ? csv.GetField(languageIndex)?.Trim() : null;
            row(line, fields, string.IsNullOrEmpty(language) ? null : language);
        }
    }

    static int Index(string[] header, string column, string file)
    {
        var index = Array.FindIndex(header, h => string.Equals(h.Trim(), column, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
            throw new CsvInputException($"{file} has no column '{column}'. Its columns are: {string.Join(", ", header)}.");
        return index;
    }
}
