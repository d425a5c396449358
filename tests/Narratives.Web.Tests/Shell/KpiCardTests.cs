using Bunit;
using Narratives.Web.Shell;

namespace Narratives.Web.Tests.Shell;

public sealed class KpiCardTests : BunitContext
{
    public KpiCardTests() => Services.AddMudServicesForTests();

    [Fact]
    public void A_kpi_card_shows_its_label_the_grouped_number_and_its_note()
    {
        var card = Render<KpiCard>(p => p
            .Add(c => c.Label, "Impressions")
            .Add(c => c.Value, 3224782)
            .Add(c => c.Note, "All platforms")
            .Add(c => c.TestId, "kpi"));

        var paper = card.Find("[data-testid=kpi]");
        Assert.Contains("Impressions", paper.TextContent);
        Assert.Contains(3224782L.ToString("N0"), paper.TextContent);
        Assert.Contains("All platforms", paper.TextContent);
    }

    [Fact]
    public void A_kpi_card_without_a_note_shows_none()
    {
        var card = Render<KpiCard>(p => p.Add(c => c.Label, "Campaigns").Add(c => c.Value, 14));

        Assert.Empty(card.FindAll(".chart-note"));
    }
}

static class TestServices
{
    public static void AddMudServicesForTests(this Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
        MudBlazor.Services.ServiceCollectionExtensions.AddMudServices(services);
        Microsoft.Extensions.DependencyInjection.LocalizationServiceCollectionExtensions.AddLocalization(services, o => o.ResourcesPath = "Resources");
    }
}
