namespace Narratives.Core.Campaigns;

/// <summary>A message variant (A/B) or the control of a campaign.</summary>
public sealed record VariantInput(string Name, bool IsControl, string Description)
{
    public Dictionary<string, string> Validate()
    {
        var e = new Dictionary<string, string>();
        if (Name.Trim().Length is 0 or > 100) e[nameof(Name)] = "Give the variant a name of 1 to 100 characters, like A, B or Control.";
        return e;
    }
}

/// <summary>A content item a person adds by hand: a post, a video, a page.</summary>
public sealed record ContentInput(string Platform, string? Permalink, string Title, string Text, string? Language, DateOnly? PublishedOn, long? VariantId)
{
    public static readonly string[] Platforms = ["facebook", "instagram", "youtube", "x", "tiktok", "meta_ads", "google_ads", "website", "offline", "other"];

    public Dictionary<string, string> Validate(DateOnly today)
    {
        var e = new Dictionary<string, string>();
        if (!Platforms.Contains(Platform)) e[nameof(Platform)] = $"Choose one of: {string.Join(", ", Platforms)}.";
        if (!string.IsNullOrWhiteSpace(Permalink) && !CampaignInput.IsWebAddress(Permalink.Trim())) e[nameof(Permalink)] = "Give the full link, starting with https://.";
        if (Permalink?.Trim().Length > 200) e[nameof(Permalink)] = "Keep the link under 200 characters.";
        if (string.IsNullOrWhiteSpace(Text) && string.IsNullOrWhiteSpace(Title)) e[nameof(Text)] = "Give the text of the post (or at least its title), so that it can be classified.";
        if (!string.IsNullOrWhiteSpace(Language) && (Language.Trim().Length != 2 || !Language.Trim().All(char.IsAsciiLetter)))
            e[nameof(Language)] = "Use a two-letter ISO 639-1 code, like ar, fr or en.";
        if (PublishedOn > today) e[nameof(PublishedOn)] = "The publication date is in the future.";
        return e;
    }
}

/// <summary>
/// An outcome measurement: a survey arm (pre or post, treatment or control: question, sample size, number agreeing), a
/// conversion count, or a qualitative note with evidence. Counts and sample sizes, never percentages.
/// </summary>
public sealed record OutcomeInput(string Kind, long? VariantId, DateOnly? MeasuredOn, string? Question = null, string? Design = null, string? Arm = null,
    int? SampleSize = null, int? Agreeing = null, string? ConversionType = null, int? Count = null, string? Note = null, string? EvidenceUrl = null)
{
    public static readonly string[] Kinds = ["survey", "conversion", "qualitative"];
    public static readonly string[] Designs = ["pre_post", "treatment_control"];
    public static readonly string[] ConversionTypes = ["helpline_call", "sign_up", "referral", "event_attendance", "other"];

    public static string[] ArmsOf(string? design) => design switch
    {
        "pre_post" => ["pre", "post"],
        "treatment_control" => ["treatment", "control"],
        _ => [],
    };

    public Dictionary<string, string> Validate(DateOnly today)
    {
        var e = new Dictionary<string, string>();
        if (!Kinds.Contains(Kind)) e[nameof(Kind)] = "Choose survey, conversion or qualitative.";
        if (MeasuredOn is null) e[nameof(MeasuredOn)] = "Give the date of the measurement.";
        else if (MeasuredOn > today) e[nameof(MeasuredOn)] = "The measurement date is in the future.";
        switch (Kind)
        {
            case "survey":
                if (string.IsNullOrWhiteSpace(Question)) e[nameof(Question)] = "Give the survey question, as it was asked.";
                if (!Designs.Contains(Design ?? "")) e[nameof(Design)] = "Choose pre/post or treatment/control.";
                else if (!ArmsOf(Design).Contains(Arm ?? "")) e[nameof(Arm)] = $"Choose {string.Join(" or ", ArmsOf(Design))}.";
                if (SampleSize is null or <= 0) e[nameof(SampleSize)] = "Give the number of people who answered (more than 0).";
                if (Agreeing is null or < 0) e[nameof(Agreeing)] = "Give the number of people who agreed (0 or more).";
                else if (SampleSize is > 0 && Agreeing > SampleSize) e[nameof(Agreeing)] = $"{Agreeing} people agreeing is more than the {SampleSize} who answered.";
                break;
            case "conversion":
                if (!ConversionTypes.Contains(ConversionType ?? "")) e[nameof(ConversionType)] = $"Choose one of: {string.Join(", ", ConversionTypes)}.";
                if (Count is null or < 0) e[nameof(Count)] = "Give the count (0 or more).";
                break;
            case "qualitative":
                if (string.IsNullOrWhiteSpace(Note)) e[nameof(Note)] = "Write what was observed.";
                break;
        }
        if (!string.IsNullOrWhiteSpace(EvidenceUrl) && !CampaignInput.IsWebAddress(EvidenceUrl.Trim())) e[nameof(EvidenceUrl)] = "Give the full link to the evidence, starting with https://.";
        return e;
    }
}
