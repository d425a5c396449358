using MudBlazor;

namespace Narratives.Web.Shell;

/// <summary>The dashboard's colours: UN blue as primary, with contrast that passes WCAG AA.</summary>
public static class NarrativesTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0b5ea8",
            Secondary = "#7a4b00",
            AppbarBackground = "#0b5ea8",
            Background = "#f7f9fb",
            TextSecondary = "rgba(0,0,0,0.70)",
            // Darker than MudBlazor's defaults so that alert text passes WCAG AA contrast.
            Info = "#0a558c",
            Success = "#1b6e20",
            Warning = "#8a5300",
            Error = "#b3261e",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["Noto Sans", "DejaVu Sans", "Segoe UI", "Arial", "sans-serif"] },
        },
    };
}
