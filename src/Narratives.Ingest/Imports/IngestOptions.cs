using Narratives.Core;

namespace Narratives.Ingest.Imports;

/// <summary>Settings of the ingest jobs, under <c>Narratives:Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "Narratives:Ingest";

    /// <summary>Where uploaded files are kept, content-addressed. Default: data/raw-files in the checkout.</summary>
    public string? RawFileDirectory { get; set; }

    /// <summary>The largest file accepted by the dashboard and the API, in bytes (default 200 MB).</summary>
    public long MaxFileBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>The longest field a CSV may have before the whole file is refused.</summary>
    public int MaxFieldLength { get; set; } = 65_536;

    /// <summary>The watch folder (with inbox/, archive/, failed/). Empty: the watch job does not run in the dashboard.</summary>
    public string? WatchDirectory { get; set; }

    public int WatchIntervalSeconds { get; set; } = 10;

    /// <summary>How often the feed collector fetches the campaigns' feeds; 0 turns it off in the dashboard.</summary>
    public int FeedIntervalMinutes { get; set; } = 60;

    public int FeedTimeoutSeconds { get; set; } = 20;

    public string ResolvedRawFileDirectory() =>
        RawFileDirectory is { Length: > 0 } dir ? Path.GetFullPath(dir)
        : Path.Combine(DataFiles.RepositoryRoot() is { } repo ? Path.Combine(repo, "data")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "narratives"), "raw-files");
}
