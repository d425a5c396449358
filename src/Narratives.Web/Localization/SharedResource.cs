namespace Narratives.Web;

/// <summary>Marker for the shared interface strings in Resources/SharedResource.*.resx.</summary>
public sealed class SharedResource;
