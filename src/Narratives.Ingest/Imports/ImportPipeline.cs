using Narratives.Ingest.Formats;
using Npgsql;

namespace Narratives.Ingest.Imports;

/// <summary>One file to import into one campaign.</summary>
public sealed record ImportRequest(long CampaignId, string FileName, ImportSource Source, Guid? UserId = null, long? ApiKeyId = null,
    DateOnly? AsOf = null, long? MaxBytes = null);

/// <summary>No such campaign (or archived): bad input, not a failure.</summary>
public sealed class CampaignNotFoundException(long campaignId) : Exception($"There is no campaign {campaignId}. `campaigns list` shows them.")
{
    public long CampaignId { get; } = campaignId;
}

/// <summary>
/// Imports a file: keeps the raw file, recognises a file already imported, detects the format, streams the rows
/// into staging and merges them in one transaction, and journals the outcome with every bad row.
/// </summary>
public sealed class ImportPipeline(ImportStore store, RawFileStore rawFiles, IngestOptions options, TimeProvider time, ImportNotifier? notifier = null)
{
    /// <summary>Lets tests inject a failure between the steps of the transaction ("staged", "merged").</summary>
    internal Func<string, Task>? OnStage { get; set; }

    public async Task<ImportReport> ImportAsync(ImportRequest request, Stream content, IProgress<double>? progress, CancellationToken ct)
    {
        if (await store.FindCampaignAsync(request.CampaignId, ct) is null) throw new CampaignNotFoundException(request.CampaignId);
        var stored = await rawFiles.SaveAsync(content, request.MaxBytes, ct);
        return await ImportStoredAsync(request, stored, progress, ct);
    }

    /// <summary>Imports a file already kept in the raw file store (also used to replay an import after a parser fix).</summary>
    public async Task<ImportReport> ImportStoredAsync(ImportRequest request, StoredFile stored, IProgress<double>? progress, CancellationToken ct)
    {
        var report = await RunAsync(request, stored, progress, ct);
        if (notifier is not null) await notifier.NotifyAsync(report);
        return report;
    }

    async Task<ImportReport> RunAsync(ImportRequest request, StoredFile stored, IProgress<double>? progress, CancellationToken ct)
    {
        var fileName = Path.GetFileName(request.FileName);
        if (request.Source != ImportSource.Replay && await store.FindImportedFileAsync(request.CampaignId, stored.Sha256, ct) is { } earlier)
        {
            var message = $"This file was already imported (import {earlier}); nothing changed.";
            var duplicateId = await store.StartAsync(request.CampaignId, fileName, stored, request.Source, request.UserId, request.ApiKeyId, "running", ct);
            var duplicate = ImportReport.Refused(request.CampaignId, fileName, stored.Hash, duplicateId, ImportReport.Duplicate, message) with { DuplicateFile = true };
            await store.FinishAsync(duplicateId, duplicate, ct);
            return duplicate;
        }

        var importId = await store.StartAsync(request.CampaignId, fileName, stored, request.Source, request.UserId, request.ApiKeyId, "running", ct);
        var context = new ImportContext(request.CampaignId, fileName, request.AsOf ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        ParsedFile? parsed = null;
        try
        {
            var reading = new ReadingProgress(progress);
            parsed = ExportReader.Open(stored.FullPath, context, new ReadLimits(options.MaxFieldLength), reading);
            var errors = new List<RowError>();
            var totals = new TotalsCounter();
            var rows = GoodRows(parsed, errors, totals);
            var contentSource = request.Source switch { ImportSource.Api => "api", ImportSource.Feed => "feed", _ => "import" };
            var merge = await store.StageAndMergeAsync(importId, request.CampaignId, fileName, contentSource, rows, errors, OnStage, ct,
                () => reading.Fraction);
            progress?.Report(1);

            var listed = errors.Select(e => new ImportError(e.Line, e.Column, e.Message, e.FileName == fileName ? null : e.FileName))
                .Concat(merge.ForeignRows).OrderBy(e => e.Line).Take(ImportReport.ListedErrors).ToList();
            var quarantined = errors.Count + merge.ForeignRows.Count;
            var status = quarantined == 0 ? ImportReport.Imported : ImportReport.ImportedWithErrors;
            var report = new ImportReport(importId, request.CampaignId, fileName, stored.Hash, parsed.Format, status,
                quarantined == 0
                    ? $"Imported {Rows(parsed.RecordsRead)} as {parsed.Description}."
                    : $"Imported {parsed.RecordsRead - quarantined:N0} of {Rows(parsed.RecordsRead)} as {parsed.Description}; {quarantined:N0} quarantined.",
                parsed.RecordsRead, parsed.RecordsRead - quarantined, quarantined, false, parsed.Currency,
                merge.ItemsCreated, merge.ItemsChanged, merge.DirtyDays, listed, totals.Result());
            try
            {
                await store.FinishAsync(importId, report, ct, replay: request.Source == ImportSource.Replay);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // The same file finished importing in another process meanwhile; its import stands. (Rows written
                // here were the same rows, merged idempotently.)
                report = report with { Status = ImportReport.Duplicate, DuplicateFile = true, Message = "This file was imported at the same time by another import." };
                await store.FinishAsync(importId, report, CancellationToken.None);
            }
            return report;
        }
        catch (FileRejectedException ex)
        {
            var report = ImportReport.Refused(request.CampaignId, fileName, stored.Hash, importId, ImportReport.Rejected, ex.Message, parsed?.Format);
            await store.FinishAsync(importId, report, CancellationToken.None);
            return report;
        }
        catch (Exception ex)
        {
            var report = ImportReport.Refused(request.CampaignId, fileName, stored.Hash, importId, ImportReport.Failed,
                $"The import failed and nothing was imported: {ex.Message}", parsed?.Format);
            await store.FinishAsync(importId, report, CancellationToken.None);
            throw;
        }
    }

    static IEnumerable<ImportRow> GoodRows(ParsedFile parsed, List<RowError> errors, TotalsCounter totals)
    {
        foreach (var item in parsed.Read())
        {
            if (item.Error is not null) { errors.Add(item.Error); continue; }
            totals.Add(item.Row!.Metrics);
            yield return item.Row!;
        }
    }

    /// <summary>Passes the reader's progress on, and keeps the latest for staging to size its chunks by.</summary>
    sealed class ReadingProgress(IProgress<double>? inner) : IProgress<double>
    {
        double fraction;

        public double Fraction => Volatile.Read(ref fraction);

        public void Report(double value)
        {
            Volatile.Write(ref fraction, value);
            inner?.Report(value);
        }
    }

    sealed class TotalsCounter
    {
        long impressions, reach, views, reactions, comments, shares, clicks;
        decimal spend;

        public void Add(Metrics m)
        {
            impressions += m.Impressions ?? 0;
            reach += m.Reach ?? 0;
            views += m.Views ?? 0;
            reactions += m.Reactions ?? 0;
            comments += m.Comments ?? 0;
            shares += m.Shares ?? 0;
            clicks += m.Clicks ?? 0;
            spend += m.Spend ?? 0;
        }

        public ImportTotals Result() => new(impressions, reach, views, reactions, comments, shares, clicks, spend);
    }

    static string Rows(long count) => count == 1 ? "1 row" : $"{count:N0} rows";
}
