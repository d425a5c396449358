using Narratives.Core.Reference;

namespace Narratives.Core.Campaigns;

/// <summary>One measurable target of a campaign's goal: "reach 200,000 people by 31 March".</summary>
public sealed record KpiInput(string Metric, decimal Target, DateOnly? Deadline, string Description);

/// <summary>
/// Everything a person edits about a campaign, in the order of the RAN GAMMMA+ model: goal, audience, message,
/// messenger, media, action, then monitoring and evaluation. Also the snapshot the audit log keeps before and after.
/// </summary>
public sealed record CampaignInput(
    long InitiativeId,
    string Name,
    string Status,
    bool IsPublished,
    DateOnly? StartDate,
    DateOnly? EndDate,
    decimal? Budget,
    string? Currency,
    string GoalText,
    IReadOnlyList<KpiInput> Kpis,
    IReadOnlyList<string> Audiences,
    IReadOnlyList<string> TargetCountries,
    IReadOnlyList<string> TargetLanguages,
    int? AgeMin,
    int? AgeMax,
    string AudienceDescription,
    IReadOnlyList<string> Themes,
    string KeyMessage,
    string? Messenger,
    IReadOnlyList<string> Platforms,
    IReadOnlyList<string> OfflineChannels,
    bool IsPaid,
    string CallToAction,
    string? LandingUrl,
    IReadOnlyList<string> MonitoringMetrics,
    IReadOnlyList<string> OutcomeMeasures,
    string Baseline)
{
    public static readonly string[] Statuses = ["draft", "running", "finished"];
    public static readonly string[] Messengers = ["former", "survivor", "religious_leader", "peer", "community_leader", "government", "celebrity", "organization"];
    public static readonly string[] PlatformChoices = ["facebook", "instagram", "youtube", "x", "tiktok", "whatsapp", "telegram", "website", "podcast", "other"];
    public static readonly string[] KpiMetrics = ["impressions", "reach", "views", "engagements", "clicks", "conversions", "watch_hours"];

    /// <summary>An empty draft under an initiative: the first step of the guided form.</summary>
    public static CampaignInput Draft(long initiativeId, string name) => new(initiativeId, name, "draft", false, null, null, null, null, "",
        [], [], [], [], null, null, "", [], "", null, [], [], false, "", null, [], [], "");

    /// <summary>Trimmed, codes upper- or lower-cased, lists without blanks or repeats.</summary>
    public CampaignInput Cleaned() => this with
    {
        Name = Name.Trim(),
        Currency = string.IsNullOrWhiteSpace(Currency) ? null : Currency.Trim().ToUpperInvariant(),
        GoalText = GoalText.Trim(),
        Kpis = Kpis.Select(k => k with { Metric = k.Metric.Trim(), Description = k.Description.Trim() }).ToArray(),
        Audiences = Clean(Audiences, a => a),
        TargetCountries = Clean(TargetCountries, c => c.ToUpperInvariant()),
        TargetLanguages = Clean(TargetLanguages, l => l.ToLowerInvariant()),
        AudienceDescription = AudienceDescription.Trim(),
        Themes = Clean(Themes, t => t),
        KeyMessage = KeyMessage.Trim(),
        Messenger = string.IsNullOrWhiteSpace(Messenger) ? null : Messenger.Trim(),
        Platforms = Clean(Platforms, p => p.ToLowerInvariant()),
        OfflineChannels = Clean(OfflineChannels, c => c),
        CallToAction = CallToAction.Trim(),
        LandingUrl = string.IsNullOrWhiteSpace(LandingUrl) ? null : LandingUrl.Trim(),
        MonitoringMetrics = Clean(MonitoringMetrics, m => m),
        OutcomeMeasures = Clean(OutcomeMeasures, m => m),
        Baseline = Baseline.Trim(),
    };

    static IReadOnlyList<string> Clean(IReadOnlyList<string> values, Func<string, string> shape) =>
        values.Select(v => v.Trim()).Where(v => v.Length > 0).Select(shape).Distinct().ToArray();

    /// <summary>
    /// The problems with this input, by field, in words a person can act on. A draft may be incomplete but what it has
    /// must be right; a running or finished campaign needs every GAMMMA+ element, because without them its figures
    /// cannot be read as evidence of anything.
    /// </summary>
    public Dictionary<string, string> Validate(Taxonomy taxonomy, ISet<string> countryCodes)
    {
        var e = new Dictionary<string, string>();
        var i = Cleaned();
        if (i.InitiativeId <= 0) e[nameof(InitiativeId)] = "Choose the initiative this campaign belongs to.";
        if (i.Name.Length is 0 or > 300) e[nameof(Name)] = "Give a name of 1 to 300 characters.";
        if (!Statuses.Contains(i.Status)) e[nameof(Status)] = "Choose draft, running or finished.";
        else if (i.IsPublished && i.Status == "draft") e[nameof(IsPublished)] = "A draft cannot be published: set the status to running or finished first.";
        if (i.StartDate is { } s && i.EndDate is { } end && end < s) e[nameof(EndDate)] = "The end date is before the start date.";
        if (i.Budget is < 0) e[nameof(Budget)] = "The budget cannot be negative.";
        if (i.Currency is not null && !Currencies.IsKnown(i.Currency)) e[nameof(Currency)] = $"'{i.Currency}' is not an ISO 4217 currency code; use one like USD, EUR or TND.";
        else if (i.Budget is not null && i.Currency is null) e[nameof(Currency)] = "Say which currency the budget is in (ISO 4217, like USD).";

        for (var k = 0; k < i.Kpis.Count; k++)
        {
            var kpi = i.Kpis[k];
            if (!KpiMetrics.Contains(kpi.Metric)) e[$"Kpis[{k}].Metric"] = $"Choose one of: {string.Join(", ", KpiMetrics)}.";
            if (kpi.Target <= 0) e[$"Kpis[{k}].Target"] = "A KPI target must be a positive number.";
            if (kpi.Deadline is null) e[$"Kpis[{k}].Deadline"] = "Give the date by which the target should be reached.";
            else if (i.StartDate is { } start && kpi.Deadline < start) e[$"Kpis[{k}].Deadline"] = "The deadline is before the campaign starts.";
        }

        var badAudiences = i.Audiences.Where(a => !taxonomy.IsAudience(a)).ToList();
        if (badAudiences.Count > 0) e[nameof(Audiences)] = $"Unknown audience(s): {string.Join(", ", badAudiences)}.";
        var unknownCountries = i.TargetCountries.Where(c => !countryCodes.Contains(c)).ToList();
        if (unknownCountries.Count > 0) e[nameof(TargetCountries)] = $"Unknown country code(s): {string.Join(", ", unknownCountries)}. Use ISO 3166-1 alpha-3 codes, like TUN.";
        var badLanguages = i.TargetLanguages.Where(l => l.Length != 2 || !l.All(char.IsAsciiLetterLower)).ToList();
        if (badLanguages.Count > 0) e[nameof(TargetLanguages)] = $"Use two-letter ISO 639-1 codes, like fr (not: {string.Join(", ", badLanguages)}).";
        if (i.AgeMin is < 0 or > 120) e[nameof(AgeMin)] = "Give an age from 0 to 120.";
        if (i.AgeMax is < 0 or > 120) e[nameof(AgeMax)] = "Give an age from 0 to 120.";
        else if (i.AgeMin is { } min && i.AgeMax is { } max && max < min) e[nameof(AgeMax)] = "The oldest age is below the youngest.";

        var badThemes = i.Themes.Where(t => !taxonomy.IsTheme(t)).ToList();
        if (badThemes.Count > 0) e[nameof(Themes)] = $"Unknown theme(s): {string.Join(", ", badThemes)}.";
        if (i.Messenger is not null && !Messengers.Contains(i.Messenger)) e[nameof(Messenger)] = $"Choose one of: {string.Join(", ", Messengers)}.";
        var badPlatforms = i.Platforms.Where(p => !PlatformChoices.Contains(p)).ToList();
        if (badPlatforms.Count > 0) e[nameof(Platforms)] = $"Unknown platform(s): {string.Join(", ", badPlatforms)}. Use: {string.Join(", ", PlatformChoices)}.";
        if (i.LandingUrl is not null && !IsWebAddress(i.LandingUrl)) e[nameof(LandingUrl)] = "Give a full web address starting with https://.";

        if (i.Status is "running" or "finished")
        {
            void Need(bool present, string field, string message) { if (!present) e.TryAdd(field, message); }
            Need(i.GoalText.Length > 0, nameof(GoalText), "Say what the campaign tries to achieve.");
            Need(i.Kpis.Count > 0, nameof(Kpis), "Give at least one measurable KPI: a metric, a target and a deadline.");
            Need(i.Audiences.Count > 0, nameof(Audiences), "Choose at least one audience.");
            Need(i.Themes.Count > 0, nameof(Themes), "Choose at least one theme.");
            Need(i.KeyMessage.Length > 0, nameof(KeyMessage), "Write the key message.");
            Need(i.Messenger is not null, nameof(Messenger), "Choose who carries the message.");
            Need(i.Platforms.Count + i.OfflineChannels.Count > 0, nameof(Platforms), "Choose at least one platform or offline channel.");
            Need(i.CallToAction.Length > 0, nameof(CallToAction), "Say what the audience is asked to do.");
            Need(i.MonitoringMetrics.Count > 0, nameof(MonitoringMetrics), "Say which metrics you will follow.");
            Need(i.StartDate is not null, nameof(StartDate), "Give the start date.");
        }
        return e;
    }

    public static bool IsWebAddress(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Host.Contains('.');
}
