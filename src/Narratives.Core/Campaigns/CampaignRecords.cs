namespace Narratives.Core.Campaigns;

/// <summary>Who is looking: staff see every campaign; a partner its own organization's and published ones; others published ones.</summary>
public sealed record CampaignViewer(bool IsStaff, long? OrganizationId)
{
    public static readonly CampaignViewer Public = new(false, null);
    public bool MayChange(long organizationId) => IsStaff || OrganizationId == organizationId;
}

public sealed record CampaignListQuery(string? Q = null, string? Status = null, long? InitiativeId = null, long? OrganizationId = null,
    bool IncludeArchived = false, int Page = 0, int PageSize = 50);

public sealed record CampaignListItem(long Id, string Name, long InitiativeId, string InitiativeName, long OrganizationId, string OrganizationName,
    string Status, bool IsPublished, DateOnly? StartDate, DateOnly? EndDate, string[] Platforms, int ContentItems, DateTimeOffset? ArchivedAt,
    bool IsDemo);

public sealed record CampaignList(int Total, IReadOnlyList<CampaignListItem> Items);

public sealed record Kpi(long Id, string Metric, decimal Target, DateOnly Deadline, string Description);

public sealed record CampaignDetail(
    long Id, long InitiativeId, string InitiativeName, long OrganizationId, string OrganizationName, string Name, string Status,
    bool IsPublished, DateOnly? StartDate, DateOnly? EndDate, decimal? Budget, string? Currency, string GoalText, string[] Audiences,
    string[] TargetCountries, string[] TargetLanguages, int? AgeMin, int? AgeMax, string AudienceDescription, string[] Themes,
    string KeyMessage, string? Messenger, string[] Platforms, string[] OfflineChannels, bool IsPaid, string CallToAction,
    string? LandingUrl, string[] MonitoringMetrics, string[] OutcomeMeasures, string Baseline, bool IsDemo, DateTimeOffset? ArchivedAt,
    int Version, DateTimeOffset UpdatedAt)
{
    public IReadOnlyList<Kpi> Kpis { get; init; } = [];

    public CampaignInput ToInput() => new(InitiativeId, Name, Status, IsPublished, StartDate, EndDate, Budget, Currency, GoalText,
        Kpis.Select(k => new KpiInput(k.Metric, k.Target, k.Deadline, k.Description)).ToArray(), Audiences, TargetCountries,
        TargetLanguages, AgeMin, AgeMax, AudienceDescription, Themes, KeyMessage, Messenger, Platforms, OfflineChannels, IsPaid,
        CallToAction, LandingUrl, MonitoringMetrics, OutcomeMeasures, Baseline);
}

/// <summary>What a visitor asking for a campaign may learn: it is theirs to see, or there is nothing (missing and hidden look alike).</summary>
public enum CampaignAccess { Visible, Missing, Hidden }

public sealed record CampaignVariant(long Id, string Name, bool IsControl, string Description, int ContentItems, int Outcomes);

public sealed record ContentItem(long Id, long? VariantId, string? VariantName, string Platform, string ExternalId, string? Permalink, string Title,
    string Text, string? Language, DateTimeOffset? PublishedAt, string Source, string? PredictedTheme, float? PredictedThemeConfidence,
    string[]? PredictedAudiences, string? ReviewedTheme, string[]? ReviewedAudiences, long Impressions, long Engagements);

public sealed record OutcomeMeasurement(long Id, long? VariantId, string? VariantName, string Kind, string? Question, string? Design, string? Arm,
    int? SampleSize, int? Agreeing, string? ConversionType, int? Count, string? Note, string? EvidenceUrl, DateOnly MeasuredOn,
    string RecordedByName, DateTimeOffset RecordedAt);
