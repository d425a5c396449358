using Microsoft.AspNetCore.Components;
using Narratives.Ml.Classification;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Registry;
using Narratives.Ml.Training;
using Narratives.Web.Shell;
using Plotly.Blazor;
using Plotly.Blazor.Traces;

namespace Narratives.Web.Classification;

/// <summary>The classifier for staff: current quality, confusion matrix, per-class figures, versions, retraining, activation and roll-back.</summary>
public sealed partial class ModelPage : IDisposable
{
    [Inject] ModelRegistry Registry { get; set; } = default!;
    [Inject] ActiveModels Models { get; set; } = default!;
    [Inject] ProjectTrainer Trainer { get; set; } = default!;
    [Inject] TrainingStatus Status { get; set; } = default!;
    [Inject] ClassificationJob Job { get; set; } = default!;

    IReadOnlyList<ModelVersion>? themeVersions;
    IReadOnlyList<ModelVersion>? audienceVersions;
    string? error;
    IList<ITrace> themeHeatmap = [];
    IList<ITrace> themeBars = [];
    IList<ITrace> audienceBars = [];
    Layout heatmapLayout = new();
    Layout themeBarsLayout = new();
    Layout audienceBarsLayout = new();

    protected override async Task OnInitializedAsync()
    {
        Status.Changed += OnChanged;
        Models.Changed += OnChanged;
        await ReloadAsync();
    }

    protected override async Task ReloadAsync()
    {
        try
        {
            themeVersions = await Registry.ListAsync(ClassifierTask.Theme);
            audienceVersions = await Registry.ListAsync(ClassifierTask.Audience);
            BuildCharts();
        }
        catch (Npgsql.NpgsqlException ex)
        {
            error = ex.Message;
        }
    }

    static ModelVersion? Active(IReadOnlyList<ModelVersion> versions) => versions.FirstOrDefault(v => v.IsActive);

    static bool CanRollBack(IReadOnlyList<ModelVersion> versions) => versions.Any(v => !v.IsActive && v.ActivatedAt is not null);

    void BuildCharts()
    {
        themeHeatmap = [];
        themeBars = [];
        audienceBars = [];
        if (Active(themeVersions!)?.Report is { } theme)
        {
            if (theme.ConfusionMatrix is { } matrix)
            {
                themeHeatmap =
                [
                    new HeatMap
                    {
                        Z = matrix.Select(row => (object)row.Select(v => (object)v).ToList()).ToList(),
                        X = theme.Labels.Select(l => (object)l).ToList(),
                        Y = theme.Labels.Select(l => (object)l).ToList(),
                        ColorScale = "Blues",
                    },
                ];
                heatmapLayout = ChartDefaults.Layout(L["Model.Confusion.XAxis"], L["Model.Confusion.YAxis"], showLegend: false);
                heatmapLayout.Height = 420;
                heatmapLayout.Margin = new Plotly.Blazor.LayoutLib.Margin { L = 96, R = 16, T = 16, B = 96 };
            }
            themeBars = Bars(theme);
            themeBarsLayout = ChartDefaults.Layout(L["Model.Bars.XAxis"], L["Model.Bars.YAxis"]);
        }
        if (Active(audienceVersions!)?.Report is { } audience)
        {
            audienceBars = Bars(audience);
            audienceBarsLayout = ChartDefaults.Layout(L["Model.Bars.XAxis"], L["Model.Bars.YAxis"]);
        }
    }

    IList<ITrace> Bars(QualityReport report) =>
    [
        new Bar { Name = L["Model.Precision"], X = report.PerClass.Select(c => (object)c.Label).ToList(), Y = report.PerClass.Select(c => (object)Math.Round(c.Precision, 3)).ToList() },
        new Bar { Name = L["Model.Recall"], X = report.PerClass.Select(c => (object)c.Label).ToList(), Y = report.PerClass.Select(c => (object)Math.Round(c.Recall, 3)).ToList() },
        new Bar { Name = "F1", X = report.PerClass.Select(c => (object)c.Label).ToList(), Y = report.PerClass.Select(c => (object)Math.Round(c.F1, 3)).ToList() },
    ];

    Task RetrainAsync() => ActAsync(actor =>
    {
        // Training runs on a background task; the page follows it through TrainingStatus. New versions are not
        // activated: staff compare them with the current ones first.
        if (!Trainer.TryStart(actor.Label, activate: false)) Snackbar.Add(L["Model.AlreadyTraining"], MudBlazor.Severity.Info);
        return Task.CompletedTask;
    });

    Task ActivateAsync(long id) => ActAsync(async actor =>
    {
        await Registry.ActivateAsync(id, actor);
        await SwapAsync();
    });

    Task RollBackAsync(ClassifierTask task) => ActAsync(async actor =>
    {
        if (await Registry.RollBackAsync(task, actor) is null) Snackbar.Add(L["Model.NothingToRollBack"], MudBlazor.Severity.Info);
        await SwapAsync();
    });

    /// <summary>Swap the models in this process now, and re-score the items nobody has reviewed with them.</summary>
    async Task SwapAsync()
    {
        await Models.RefreshAsync();
        await Job.RequeueUnreviewedAsync();
        Snackbar.Add(L["Model.Activated"], MudBlazor.Severity.Success);
    }

    void OnChanged() => _ = InvokeAsync(async () => { await ReloadAsync(); StateHasChanged(); });

    public void Dispose()
    {
        Status.Changed -= OnChanged;
        Models.Changed -= OnChanged;
    }
}
