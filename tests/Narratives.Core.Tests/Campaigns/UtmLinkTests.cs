using Narratives.Core.Campaigns;

namespace Narratives.Core.Tests.Campaigns;

public sealed class UtmLinkTests
{
    [Fact]
    public void Builds_utm_parameters_keeping_the_links_own_query()
    {
        var link = UtmLink.Build("https://example.org/quiz?lang=ar&utm_source=old", new UtmParameters("Facebook", "paid social", "Spot the Hook"));
        Assert.Equal("https://example.org/quiz?lang=ar&utm_source=facebook&utm_medium=paid-social&utm_campaign=spot-the-hook", link);
    }

    [Fact]
    public void Reads_the_parameters_back()
    {
        var (address, utm) = UtmLink.Parse("https://example.org/quiz?lang=ar&utm_source=facebook&utm_medium=paid-social&utm_campaign=spot-the-hook&utm_content=b");
        Assert.Equal("https://example.org/quiz?lang=ar", address);
        Assert.Equal(new UtmParameters("facebook", "paid-social", "spot-the-hook", "b"), utm);
    }

    [Fact]
    public void Blank_parameters_are_left_out_and_text_is_escaped()
    {
        Assert.Equal("https://example.org/?utm_source=%D9%81%D9%8A%D8%B3%D8%A8%D9%88%D9%83",
            UtmLink.Build("https://example.org", new UtmParameters("فيسبوك", "", "")));
    }
}
