namespace Narratives.Ingest.Formats;

/// <summary>What a figure in an export means.</summary>
public enum FactMeaning
{
    /// <summary>The content item's own record only (a feed entry); no figures.</summary>
    None,
    /// <summary>The value for one day.</summary>
    Daily,
    /// <summary>Lifetime totals as of <see cref="ImportRow.Day"/>.</summary>
    Cumulative,
    /// <summary>Totals from <see cref="ImportRow.PeriodStart"/> to <see cref="ImportRow.Day"/>.</summary>
    Period,
}

/// <summary>The engagement figures of one row, in the platform's own definitions; null when not reported.</summary>
public sealed record Metrics(
    long? Impressions = null, long? Reach = null, long? Views = null, long? WatchSeconds = null, long? Reactions = null,
    long? Comments = null, long? Shares = null, long? Clicks = null, long? Saves = null, long? Follows = null,
    decimal? Spend = null)
{
    public static readonly Metrics Empty = new();
}

/// <summary>One good row of an export: a content item and, unless the meaning is None, its figures.</summary>
public sealed record ImportRow(
    int Line,
    string Platform,
    string ExternalId,
    FactMeaning Meaning,
    DateOnly Day,
    Metrics Metrics,
    string? Title = null,
    string? Text = null,
    string? Permalink = null,
    DateTimeOffset? PublishedAt = null,
    int? DurationSeconds = null,
    string? Language = null,
    DateOnly? PeriodStart = null);

/// <summary>A row that could not be imported: quarantined with where it was and why.</summary>
public sealed record RowError(int Line, string? Column, string Message, string? RawText, string? FileName = null);

/// <summary>The whole file is unusable: nothing is imported and this message says why.</summary>
public sealed class FileRejectedException(string message) : Exception(message);
