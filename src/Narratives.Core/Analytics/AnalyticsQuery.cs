using System.Globalization;

namespace Narratives.Core.Analytics;

/// <summary>
/// The filters every analytics page shares, kept in the address so that a view is a link. Country and region are the
/// campaign's target countries (or its initiative's countries when it names none).
/// </summary>
public sealed record AnalyticsFilter(
    DateOnly From, DateOnly To, string? Region = null, string? Country = null, string? Theme = null, string? Audience = null,
    string? Platform = null, string? Language = null, long? InitiativeId = null, long? CampaignId = null)
{
    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The period of the same length just before this one, for "change against the previous period".</summary>
    public AnalyticsFilter Previous() => this with { From = From.AddDays(-Days), To = From.AddDays(-1) };

    public IReadOnlyDictionary<string, string?> ToQuery() => new Dictionary<string, string?>
    {
        ["from"] = From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["to"] = To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["region"] = Region, ["country"] = Country, ["theme"] = Theme, ["audience"] = Audience, ["platform"] = Platform, ["language"] = Language,
        ["initiative"] = InitiativeId?.ToString(CultureInfo.InvariantCulture), ["campaign"] = CampaignId?.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>What a breakdown groups by. Only these keys reach SQL, each mapped to a fixed expression.</summary>
public enum Dimension { None, Day, Week, Month, Campaign, Initiative, Theme, Audience, Platform, Language, Country, Region }

/// <summary>One row of a breakdown: the key(s) and the summed figures.</summary>
public sealed record BreakdownRow(string Key, string Label, string Key2, MetricTotals Totals);
