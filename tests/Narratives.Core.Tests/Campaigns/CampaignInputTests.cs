using Narratives.Core.Campaigns;
using Narratives.Core.Reference;

namespace Narratives.Core.Tests.Campaigns;

public sealed class CampaignInputTests
{
    static readonly Taxonomy Taxonomy = Taxonomy.Load();
    static readonly HashSet<string> Countries = ["TUN", "FRA", "KEN"];

    internal static CampaignInput Complete(long initiativeId = 1) => new(
        initiativeId, "Think before you share", "running", true, new DateOnly(2026, 6, 1), new DateOnly(2027, 1, 15), 68000m, "tnd",
        "Help young Tunisians recognise online grooming tactics.",
        [new KpiInput("reach", 200000, new DateOnly(2027, 1, 15), "Reach 200,000 people aged 16-24"), new KpiInput("clicks", 1000, new DateOnly(2026, 12, 31), "")],
        ["youth", "at-risk-online"], ["tun"], ["AR", "fr"], 16, 24, "Young people in Tunis and Sfax", ["literacy"], "Recruiters use hooks; spot them.",
        "peer", ["facebook", "tiktok"], ["workshops in youth centres"], true, "Take the quiz", "https://example.org/quiz?utm_source=facebook",
        ["reach", "quiz completions"], ["pre/post quiz scores"], "31% could name three grooming tactics in May 2026.");

    [Fact]
    public void A_complete_campaign_is_valid_and_cleaned()
    {
        var input = Complete();
        Assert.Empty(input.Validate(Taxonomy, Countries));
        var cleaned = input.Cleaned();
        Assert.Equal("TND", cleaned.Currency);
        Assert.Equal(["TUN"], cleaned.TargetCountries);
        Assert.Equal(["ar", "fr"], cleaned.TargetLanguages);
    }

    [Fact]
    public void A_draft_may_be_incomplete_but_a_running_campaign_needs_every_element()
    {
        var draft = CampaignInput.Draft(1, "Only a name so far");
        Assert.Empty(draft.Validate(Taxonomy, Countries));

        var errors = (draft with { Status = "running" }).Validate(Taxonomy, Countries);
        Assert.Equal(
            ["Audiences", "CallToAction", "GoalText", "KeyMessage", "Kpis", "Messenger", "MonitoringMetrics", "Platforms", "StartDate", "Themes"],
            errors.Keys.Order());
    }

    [Fact]
    public void Each_rule_names_its_field()
    {
        var bad = Complete() with
        {
            Name = " ", IsPublished = true, Status = "draft", StartDate = new DateOnly(2026, 6, 1), EndDate = new DateOnly(2026, 5, 1),
            Budget = -5, Currency = "EURO", Kpis = [new KpiInput("likes", 0, null, "")], Audiences = ["teenagers"], TargetCountries = ["XXX"],
            TargetLanguages = ["french"], AgeMin = 30, AgeMax = 20, Themes = ["hope"], Messenger = "influencer", Platforms = ["myspace"],
            LandingUrl = "not a link",
        };
        var errors = bad.Validate(Taxonomy, Countries);

        Assert.Contains("1 to 300", errors["Name"]);
        Assert.Contains("cannot be published", errors["IsPublished"]);
        Assert.Contains("before the start", errors["EndDate"]);
        Assert.Contains("negative", errors["Budget"]);
        Assert.Contains("ISO 4217", errors["Currency"]);
        Assert.Contains("impressions", errors["Kpis[0].Metric"]);
        Assert.Contains("positive", errors["Kpis[0].Target"]);
        Assert.Contains("date", errors["Kpis[0].Deadline"]);
        Assert.Contains("teenagers", errors["Audiences"]);
        Assert.Contains("XXX", errors["TargetCountries"]);
        Assert.Contains("french", errors["TargetLanguages"]);
        Assert.Contains("below the youngest", errors["AgeMax"]);
        Assert.Contains("hope", errors["Themes"]);
        Assert.Contains("religious_leader", errors["Messenger"]);
        Assert.Contains("myspace", errors["Platforms"]);
        Assert.Contains("https://", errors["LandingUrl"]);
    }

    [Fact]
    public void A_budget_needs_its_currency()
    {
        var errors = (Complete() with { Currency = null }).Validate(Taxonomy, Countries);
        Assert.Contains("currency", errors["Currency"]);
    }

    [Fact]
    public void A_kpi_deadline_before_the_start_is_refused()
    {
        var errors = (Complete() with { Kpis = [new KpiInput("reach", 10, new DateOnly(2026, 1, 1), "")] }).Validate(Taxonomy, Countries);
        Assert.Contains("before the campaign starts", errors["Kpis[0].Deadline"]);
    }

    [Theory]
    [InlineData(100, 101, "Agreeing")]
    [InlineData(0, 0, "SampleSize")]
    [InlineData(100, -1, "Agreeing")]
    public void Survey_counts_are_checked(int sample, int agreeing, string field)
    {
        var input = new OutcomeInput("survey", null, new DateOnly(2026, 10, 1), "I would check the source", "pre_post", "pre", sample, agreeing);
        Assert.True(input.Validate(new DateOnly(2026, 11, 1)).ContainsKey(field));
    }

    [Fact]
    public void A_survey_arm_must_match_its_design()
    {
        var input = new OutcomeInput("survey", null, new DateOnly(2026, 10, 1), "Q", "pre_post", "treatment", 10, 5);
        Assert.Contains("pre or post", input.Validate(new DateOnly(2026, 11, 1))["Arm"]);
        Assert.Empty((input with { Arm = "post" }).Validate(new DateOnly(2026, 11, 1)));
    }

    [Fact]
    public void Outcomes_cannot_be_dated_in_the_future_and_evidence_must_be_a_link()
    {
        var errors = new OutcomeInput("qualitative", null, new DateOnly(2026, 12, 1), Note: "Comments turned supportive", EvidenceUrl: "see drive")
            .Validate(new DateOnly(2026, 11, 1));
        Assert.Contains("future", errors["MeasuredOn"]);
        Assert.Contains("https://", errors["EvidenceUrl"]);
    }
}
