using System.Net;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Narratives.Core;
using Narratives.Testing;
using Narratives.Web.Tests.Browser;

namespace Narratives.Web.Tests.Localization;

public sealed partial class LocalizationTests
{
    static string WebProject => Path.Combine(DataFiles.RepositoryRoot()!, "src", "Narratives.Web");

    static HashSet<string> Keys(string culture)
    {
        var file = Path.Combine(WebProject, "Resources", culture == "en" ? "SharedResource.resx" : $"SharedResource.{culture}.resx");
        return XDocument.Load(file).Root!.Elements("data").Select(d => d.Attribute("name")!.Value).ToHashSet();
    }

    [GeneratedRegex(@"L\[""([A-Za-z0-9.]+)""")]
    private static partial Regex LocalizerKey();

    [Fact]
    public void Every_interface_string_used_in_a_page_has_an_english_text()
    {
        var english = Keys("en");
        var used = Directory.EnumerateFiles(WebProject, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".razor.cs", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .SelectMany(f => LocalizerKey().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();

        Assert.NotEmpty(used);
        // A key ending in '.' is the start of a family completed at run time (L["Metric." + key]); see the next test.
        var missing = used.Where(k => k.EndsWith('.') ? !english.Any(e => e.StartsWith(k, StringComparison.Ordinal)) : !english.Contains(k)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_value_shown_through_a_family_of_keys_has_an_english_text()
    {
        var english = Keys("en");
        var families = new (string Prefix, IEnumerable<string> Values)[]
        {
            ("Metric.", Narratives.Core.Analytics.Metrics.All.Select(m => m.Key)),
            ("Metric.Meaning.", Narratives.Core.Analytics.Metrics.All.Select(m => m.Key)),
            ("Methodology.Group.", Enum.GetNames<Narratives.Core.Analytics.MetricGroup>()),
            ("Methodology.Kind.", Enum.GetNames<Narratives.Core.Analytics.MetricKind>()),
            ("Dimension.", ["Theme", "Audience", "Platform", "Language", "Country", "Region", "Initiative", "Campaign", "Month"]),
            ("Campaigns.Status.", Narratives.Core.Campaigns.CampaignInput.Statuses),
            ("Messenger.", Narratives.Core.Campaigns.CampaignInput.Messengers),
            ("Kpi.State.", Enum.GetNames<Narratives.Core.Campaigns.KpiState>()),
            ("CampaignForm.Step.", Narratives.Web.Campaigns.CampaignForm.Steps.Select(s => s.Key)),
            ("CampaignForm.Help.", Narratives.Web.Campaigns.CampaignForm.Steps.Select(s => s.Key)),
            ("Outcomes.Kind.", Narratives.Core.Campaigns.OutcomeInput.Kinds),
            ("Outcomes.Design.", Narratives.Core.Campaigns.OutcomeInput.Designs),
            ("Outcomes.Arm.", Narratives.Core.Campaigns.OutcomeInput.Designs.SelectMany(Narratives.Core.Campaigns.OutcomeInput.ArmsOf)),
            ("Outcomes.Conversion.", Narratives.Core.Campaigns.OutcomeInput.ConversionTypes),
            ("Content.Source.", ["manual", "import", "api", "feed", "demo"]),
        };
        var missing = families.SelectMany(f => f.Values.Select(v => f.Prefix + v)).Where(k => !english.Contains(k)).ToList();
        Assert.Empty(missing);
    }

    [Theory]
    [InlineData("fr")]
    [InlineData("ar")]
    public void Translations_only_use_keys_the_english_text_has(string culture)
    {
        Assert.Empty(Keys(culture).Except(Keys("en")));
    }

    [Fact]
    public async Task The_language_switch_refuses_unknown_languages_and_never_redirects_off_site()
    {
        var server = await PostgresServer.GetAsync();
        await using var db = await server.CreateDatabaseAsync();
        await using var app = await WebAppProcess.StartAsync(db.ConnectionString);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };

        var unknown = await http.GetAsync("culture?name=xx");
        var offSite = await http.GetAsync("culture?name=fr&returnUrl=//evil.example.com/");
        var local = await http.GetAsync("culture?name=fr&returnUrl=/campaigns");

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("'xx' is not one of the interface languages", await unknown.Content.ReadAsStringAsync());
        Assert.Equal("/", offSite.Headers.Location?.OriginalString);
        Assert.Equal("/campaigns", local.Headers.Location?.OriginalString);
        Assert.Contains(local.Headers.GetValues("Set-Cookie"), c => c.Contains("c%3Dfr") && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
    }
}
