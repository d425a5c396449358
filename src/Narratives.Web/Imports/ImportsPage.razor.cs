using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Narratives.Core.Accounts;
using Narratives.Ingest.Formats;
using Narratives.Ingest.Imports;
using Narratives.Web.Security;

namespace Narratives.Web.Imports;

/// <summary>
/// Upload platform exports into a campaign: choose the campaign, choose or drop one or more files (each streamed to the
/// raw file store with a progress bar), see each file's detected format and first rows, import them one after the other
/// with a progress bar, then read a report per file with every quarantined row. Partners see and import into their
/// organization's campaigns only; staff any.
/// </summary>
public sealed partial class ImportsPage : IDisposable
{
    [Inject] ImportNotifier Notifier { get; set; } = default!;
    [Inject] ImportStore Store { get; set; } = default!;
    [Inject] ImportPipeline Pipeline { get; set; } = default!;
    [Inject] RawFileStore RawFiles { get; set; } = default!;
    [Inject] IngestOptions Options { get; set; } = default!;
    [Inject] ActionGuard Guard { get; set; } = default!;
    [Inject] Narratives.Ingest.Feeds.FeedCollector Feeds { get; set; } = default!;
    [Inject] AuthenticationStateProvider Authentication { get; set; } = default!;

    sealed record Preview(string FileName, string Description, StoredFile File, IReadOnlyList<ImportRow> Rows);

    IReadOnlyList<CampaignRow>? campaigns;
    IReadOnlyList<StoredImport>? recent;
    IReadOnlyList<Narratives.Ingest.Feeds.FeedListing>? feeds;
    string? newFeedUrl, feedError;
    long? campaignId;
    readonly List<Preview> previews = [];
    readonly List<ImportReport> reports = [];
    readonly List<string> fileErrors = [];
    string? stage;
    double progress;
    bool busy;

    /// <summary>Files taken from one choice or drop; each is imported on its own, with its own report.</summary>
    const int MaxFiles = 20;

    long MaxMegabytes => Options.MaxFileBytes / (1024 * 1024);

    void Clear()
    {
        previews.Clear();
        reports.Clear();
        fileErrors.Clear();
        stage = null;
    }

    protected override async Task OnInitializedAsync()
    {
        Notifier.Finished += OnImportFinishedAsync;
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        // Partners' list is scoped in SQL to their organization.
        long? organization = user.IsInRole(Roles.Staff) ? null : ChangeOrganizationDataHandler.OrganizationOf(user) ?? -1;
        campaigns = await Store.ListCampaignsAsync(CancellationToken.None, organization);
        if (campaigns.Count == 1) await SelectCampaignAsync(campaigns[0].Id);
    }

    async Task SelectCampaignAsync(long? id)
    {
        campaignId = id;
        Clear();
        recent = id is { } c ? await Store.ListImportsAsync(c, 10, CancellationToken.None) : null;
        feeds = id is { } f ? await Feeds.ListFeedsAsync(f, CancellationToken.None) : null;
    }

    /// <summary>Adds an RSS or Atom feed to the campaign and fetches it at once; the scheduled collector keeps it up to date.</summary>
    async Task AddFeedAsync()
    {
        feedError = null;
        if (!Uri.TryCreate(newFeedUrl?.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            feedError = L["Imports.FeedInvalid"];
            return;
        }
        if (!await AllowedAsync()) return;
        busy = true;
        try
        {
            await Feeds.AddFeedAsync(campaignId!.Value, url, CancellationToken.None);
            await Task.Run(() => Feeds.CollectCampaignAsync(campaignId.Value, CancellationToken.None));
            newFeedUrl = null;
            feeds = await Feeds.ListFeedsAsync(campaignId.Value, CancellationToken.None);
            recent = await Store.ListImportsAsync(campaignId.Value, 10, CancellationToken.None);
        }
        finally
        {
            busy = false;
        }
    }

    async Task<bool> AllowedAsync()
    {
        var campaign = campaigns?.FirstOrDefault(c => c.Id == campaignId);
        if (campaign is null) return false;
        try
        {
            await Guard.RequireAsync(Policies.ChangeOrganizationData,
                new OrganizationOwned(campaign.OrganizationId, "campaign", campaign.Id.ToString(CultureInfo.InvariantCulture)));
            return true;
        }
        catch (NotAllowedException ex)
        {
            fileErrors.Add(ex.Message);
            return false;
        }
    }

    async Task UploadAsync(InputFileChangeEventArgs e)
    {
        Clear();
        if (!await AllowedAsync()) return;
        if (e.FileCount > MaxFiles)
        {
            fileErrors.Add(L["Imports.TooMany", MaxFiles, e.FileCount]);
            return;
        }
        var files = e.GetMultipleFiles(MaxFiles);
        busy = true;
        try
        {
            for (var i = 0; i < files.Count; i++)
                await UploadOneAsync(files[i], i + 1, files.Count);
        }
        finally
        {
            busy = false;
            stage = null;
        }
    }

    /// <summary>Stores one chosen file and reads its first rows; a file that cannot be imported is journaled with its report at once.</summary>
    async Task UploadOneAsync(IBrowserFile file, int number, int count)
    {
        if (file.Size > Options.MaxFileBytes)
        {
            fileErrors.Add(L["Imports.TooLarge", file.Name, MaxMegabytes]);
            return;
        }
        try
        {
            stage = Step(L["Imports.Uploading", file.Name], number, count);
            progress = 0;
            await using var upload = new ProgressStream(file.OpenReadStream(Options.MaxFileBytes), file.Size, v => Report(v));
            var stored = await RawFiles.SaveAsync(upload, Options.MaxFileBytes, CancellationToken.None);
            stage = Step(L["Imports.Reading", file.Name], number, count);
            var context = new ImportContext(campaignId!.Value, file.Name, DateOnly.FromDateTime(DateTime.UtcNow));
            try
            {
                var parsed = await Task.Run(() => ExportReader.Open(stored.FullPath, context, new ReadLimits(Options.MaxFieldLength)));
                var rows = await Task.Run(() => parsed.Read().Where(i => i.Row is not null).Select(i => i.Row!).Take(5).ToList());
                previews.Add(new Preview(file.Name, parsed.Description, stored, rows));
            }
            catch (FileRejectedException)
            {
                // A file that cannot be imported is still journaled with its reason, like any import.
                await RunImportAsync(file.Name, stored, number, count);
            }
        }
        catch (IOException ex)
        {
            fileErrors.Add(L["Imports.UploadFailed", file.Name, ex.Message]);
        }
    }

    string Step(string what, int number, int count) => count == 1 ? what : L["Imports.Step", what, number, count];

    /// <summary>Imports every previewed file, one after the other, each in its own transaction with its own report.</summary>
    async Task ImportAsync()
    {
        if (busy || previews.Count == 0 || !await AllowedAsync()) return;
        busy = true;
        try
        {
            var pending = previews.ToList();
            for (var i = 0; i < pending.Count; i++)
            {
                await RunImportAsync(pending[i].FileName, pending[i].File, i + 1, pending.Count);
                previews.Remove(pending[i]);
                StateHasChanged();
            }
        }
        finally
        {
            busy = false;
            stage = null;
        }
    }

    async Task RunImportAsync(string fileName, StoredFile stored, int number, int count)
    {
        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        var actor = ActionGuard.ActorOf(user);
        stage = Step(L["Imports.Importing", fileName], number, count);
        progress = 0;
        var request = new ImportRequest(campaignId!.Value, fileName, ImportSource.Upload, actor.UserId);
        var reporter = new Progress<double>(v => Report(v));
        // Parsing is CPU work: off the circuit's thread so that the progress bar moves.
        reports.Add(await Task.Run(() => Pipeline.ImportStoredAsync(request, stored, reporter, CancellationToken.None)));
        recent = await Store.ListImportsAsync(campaignId.Value, 10, CancellationToken.None);
    }

    /// <summary>An import of the campaign on screen finished elsewhere (API, watch folder, feeds, another tab): list it.</summary>
    async Task OnImportFinishedAsync(ImportReport finished)
    {
        if (finished.CampaignId != campaignId) return;
        try
        {
            await InvokeAsync(async () =>
            {
                recent = await Store.ListImportsAsync(finished.CampaignId, 10, CancellationToken.None);
                StateHasChanged();
            });
        }
        catch (ObjectDisposedException)
        {
            // The page closed while the import finished; nothing to show it on.
        }
    }

    public void Dispose() => Notifier.Finished -= OnImportFinishedAsync;

    DateTime lastRender;

    void Report(double value)
    {
        progress = value;
        if (DateTime.UtcNow - lastRender < TimeSpan.FromMilliseconds(200) && value < 1) return;
        lastRender = DateTime.UtcNow;
        _ = InvokeAsync(StateHasChanged);
    }

    static string Figures(Metrics m) => string.Join(", ", new (string Name, object? Value)[]
        {
            ("impressions", m.Impressions), ("reach", m.Reach), ("views", m.Views), ("reactions", m.Reactions), ("comments", m.Comments),
            ("shares", m.Shares), ("clicks", m.Clicks), ("spend", m.Spend),
        }.Where(f => f.Value is not null).Select(f => $"{f.Name} {f.Value}"));

    /// <summary>Counts the bytes of an upload as they are read, for its progress bar.</summary>
    sealed class ProgressStream(Stream inner, long length, Action<double> report) : Stream
    {
        long read;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        int Count(int n)
        {
            read += n;
            if (length > 0) report(Math.Min(1, (double)read / length));
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
