using Narratives.Core.Campaigns;

namespace Narratives.Web.Campaigns;

/// <summary>One KPI row of the goal step.</summary>
public sealed class KpiRow
{
    public string Metric { get; set; } = "reach";
    public decimal? Target { get; set; }
    public DateTime? Deadline { get; set; }
    public string Description { get; set; } = "";
}

/// <summary>What the guided GAMMMA+ form edits. Lists are typed one per line or separated by commas.</summary>
public sealed class CampaignForm
{
    public long? InitiativeId { get; set; }
    public long? OrganizationId { get; set; }
    public string Name { get; set; } = "";
    public string Status { get; set; } = "draft";
    public bool IsPublished { get; set; }
    public DateTime? Start { get; set; }
    public DateTime? End { get; set; }
    public decimal? Budget { get; set; }
    public string? Currency { get; set; }
    public string GoalText { get; set; } = "";
    public List<KpiRow> Kpis { get; set; } = [];
    public IReadOnlyCollection<string> Audiences { get; set; } = [];
    public string Countries { get; set; } = "";
    public string Languages { get; set; } = "";
    public int? AgeMin { get; set; }
    public int? AgeMax { get; set; }
    public string AudienceDescription { get; set; } = "";
    public IReadOnlyCollection<string> Themes { get; set; } = [];
    public string KeyMessage { get; set; } = "";
    public string? Messenger { get; set; }
    public IReadOnlyCollection<string> Platforms { get; set; } = [];
    public string OfflineChannels { get; set; } = "";
    public bool IsPaid { get; set; }
    public string CallToAction { get; set; } = "";
    public string LandingAddress { get; set; } = "";
    public string UtmSource { get; set; } = "";
    public string UtmMedium { get; set; } = "";
    public string UtmCampaign { get; set; } = "";
    public string UtmContent { get; set; } = "";
    public string MonitoringMetrics { get; set; } = "";
    public string OutcomeMeasures { get; set; } = "";
    public string Baseline { get; set; } = "";

    /// <summary>The landing link as it will be shared: the address with the UTM parameters the form built.</summary>
    public string? LandingUrl => string.IsNullOrWhiteSpace(LandingAddress) ? null
        : UtmLink.Build(LandingAddress, new UtmParameters(UtmSource, UtmMedium, UtmCampaign, UtmContent));

    static string[] Split(string text, params char[] separators) =>
        text.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static DateOnly? Day(DateTime? d) => d is { } v ? DateOnly.FromDateTime(v) : null;
    static DateTime? Day(DateOnly? d) => d?.ToDateTime(TimeOnly.MinValue);

    public CampaignInput ToInput() => new(InitiativeId ?? 0, Name, Status, IsPublished, Day(Start), Day(End), Budget, Currency, GoalText,
        Kpis.Select(k => new KpiInput(k.Metric, k.Target ?? 0, Day(k.Deadline), k.Description)).ToArray(), Audiences.ToArray(),
        Split(Countries, ',', ';', ' ', '\n'), Split(Languages, ',', ';', ' ', '\n'), AgeMin, AgeMax, AudienceDescription, Themes.ToArray(),
        KeyMessage, Messenger, Platforms.ToArray(), Split(OfflineChannels, '\n'), IsPaid, CallToAction, LandingUrl,
        Split(MonitoringMetrics, '\n'), Split(OutcomeMeasures, '\n'), Baseline);

    public static CampaignForm From(CampaignDetail d)
    {
        var (address, utm) = UtmLink.Parse(d.LandingUrl);
        return new CampaignForm
        {
            InitiativeId = d.InitiativeId, OrganizationId = d.OrganizationId, Name = d.Name, Status = d.Status, IsPublished = d.IsPublished,
            Start = Day(d.StartDate), End = Day(d.EndDate), Budget = d.Budget, Currency = d.Currency, GoalText = d.GoalText,
            Kpis = d.Kpis.Select(k => new KpiRow { Metric = k.Metric, Target = k.Target, Deadline = Day(k.Deadline), Description = k.Description }).ToList(),
            Audiences = d.Audiences, Countries = string.Join(", ", d.TargetCountries), Languages = string.Join(", ", d.TargetLanguages),
            AgeMin = d.AgeMin, AgeMax = d.AgeMax, AudienceDescription = d.AudienceDescription, Themes = d.Themes, KeyMessage = d.KeyMessage,
            Messenger = d.Messenger, Platforms = d.Platforms, OfflineChannels = string.Join("\n", d.OfflineChannels), IsPaid = d.IsPaid,
            CallToAction = d.CallToAction, LandingAddress = d.LandingUrl is null ? "" : address, UtmSource = utm.Source, UtmMedium = utm.Medium,
            UtmCampaign = utm.Campaign, UtmContent = utm.Content, MonitoringMetrics = string.Join("\n", d.MonitoringMetrics),
            OutcomeMeasures = string.Join("\n", d.OutcomeMeasures), Baseline = d.Baseline,
        };
    }

    /// <summary>The steps of the guided form, in GAMMMA+ order, and which fields each one holds.</summary>
    public static readonly (string Key, string[] Fields)[] Steps =
    [
        ("Basics", ["InitiativeId", "OrganizationId", "Name", "Status", "StartDate", "EndDate", "Budget", "Currency"]),
        ("Goal", ["GoalText", "Kpis"]),
        ("Audience", ["Audiences", "TargetCountries", "TargetLanguages", "AgeMin", "AgeMax", "AudienceDescription"]),
        ("Message", ["Themes", "KeyMessage"]),
        ("Messenger", ["Messenger"]),
        ("Media", ["Platforms", "OfflineChannels", "IsPaid"]),
        ("Action", ["CallToAction", "LandingUrl"]),
        ("Monitoring", ["MonitoringMetrics", "OutcomeMeasures", "Baseline"]),
        ("Review", ["IsPublished", "Version"]),
    ];

    public static int StepOf(string field)
    {
        var name = field.Split('[', '.')[0];
        var index = Array.FindIndex(Steps, s => s.Fields.Contains(name));
        return index < 0 ? Steps.Length - 1 : index;
    }
}
