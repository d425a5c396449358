namespace Narratives.Core.Initiatives;

public sealed class InitiativeOptions
{
    public const string Section = "Narratives:Initiatives";

    /// <summary>A verified entry not re-verified for this many months is flagged and listed for re-verification.</summary>
    public int StaleAfterMonths { get; set; } = 12;
}
