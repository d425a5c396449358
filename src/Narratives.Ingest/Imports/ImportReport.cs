using System.Text.Json;
using System.Text.Json.Serialization;

namespace Narratives.Ingest.Imports;

/// <summary>Where an import came from (imports.source).</summary>
public enum ImportSource { Upload, Cli, Api, Watch, Feed, Replay }

public sealed record ImportError(
    [property: JsonPropertyName("line")] int? Line,
    [property: JsonPropertyName("column")] string? Column,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("file")] string? File = null);

/// <summary>The sums of the figures as loaded from the file (before any derivation), to check against the platform.</summary>
public sealed record ImportTotals(
    [property: JsonPropertyName("impressions")] long Impressions,
    [property: JsonPropertyName("reach")] long Reach,
    [property: JsonPropertyName("views")] long Views,
    [property: JsonPropertyName("reactions")] long Reactions,
    [property: JsonPropertyName("comments")] long Comments,
    [property: JsonPropertyName("shares")] long Shares,
    [property: JsonPropertyName("clicks")] long Clicks,
    [property: JsonPropertyName("spend")] decimal Spend)
{
    public static readonly ImportTotals Zero = new(0, 0, 0, 0, 0, 0, 0, 0);
}

/// <summary>
/// The campaign days whose engagement changed: the hook for the analytics rollups, which find the same days in
/// <c>rollup_dirty_days</c>.
/// </summary>
public sealed record DirtyDays(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("from")] DateOnly? From,
    [property: JsonPropertyName("to")] DateOnly? To);

/// <summary>What one file import did. Serialised as the CLI's --json output and the API's answer.</summary>
public sealed record ImportReport(
    [property: JsonPropertyName("import_id")] long? ImportId,
    [property: JsonPropertyName("campaign_id")] long CampaignId,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("sha256")] string? Sha256,
    [property: JsonPropertyName("format")] string? Format,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("rows_read")] int RowsRead,
    [property: JsonPropertyName("rows_imported")] int RowsImported,
    [property: JsonPropertyName("rows_quarantined")] int RowsQuarantined,
    [property: JsonPropertyName("duplicate_file")] bool DuplicateFile,
    [property: JsonPropertyName("currency")] string? Currency,
    [property: JsonPropertyName("content_items_created")] int ContentItemsCreated,
    [property: JsonPropertyName("content_items_changed")] int ContentItemsChanged,
    [property: JsonPropertyName("dirty_days")] DirtyDays DirtyDays,
    [property: JsonPropertyName("errors")] IReadOnlyList<ImportError> Errors,
    [property: JsonPropertyName("totals")] ImportTotals Totals)
{
    /// <summary>At most this many errors are listed in a report; all of them are kept and can be downloaded.</summary>
    public const int ListedErrors = 1000;

    public const string Imported = "imported", ImportedWithErrors = "imported_with_errors", Duplicate = "duplicate",
        Rejected = "rejected", Failed = "failed";

    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public bool IsRejected => Status == Rejected;

    public static ImportReport Refused(long campaignId, string file, string? sha, long? importId, string status, string message, string? format = null) =>
        new(importId, campaignId, file, sha, format, status, message, 0, 0, 0, false, null, 0, 0, new DirtyDays(0, null, null), [], ImportTotals.Zero);
}
