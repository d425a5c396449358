using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Narratives.Ingest.Feeds;
using Narratives.Ingest.Imports;
using Narratives.Ingest.Watch;

namespace Narratives.Ingest;

public static class IngestServiceCollectionExtensions
{
    /// <summary>The import pipeline and its stores, plus the watch folder and feed jobs as hosted services.</summary>
    public static IServiceCollection AddNarrativesIngest(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>().BindConfiguration(IngestOptions.Section)
            .Validate(o => o.MaxFileBytes > 0, "Narratives:Ingest:MaxFileBytes must be positive.")
            .Validate(o => o.MaxFieldLength >= 1024, "Narratives:Ingest:MaxFieldLength must be at least 1024.")
            .Validate(o => o.FeedIntervalMinutes >= 0, "Narratives:Ingest:FeedIntervalMinutes cannot be negative.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<IngestOptions>>().Value);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RawFileStore>();
        services.AddSingleton<ImportStore>();
        services.AddSingleton<ImportNotifier>();
        services.AddSingleton<ImportPipeline>();
        services.AddHttpClient(FeedCollector.HttpClientName, (sp, client) =>
        {
            client.Timeout = TimeSpan.FromSeconds(Math.Max(1, sp.GetRequiredService<IngestOptions>().FeedTimeoutSeconds));
            FeedCollector.Configure(client);
        });
        services.AddSingleton(sp => new FeedCollector(sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<ImportPipeline>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(FeedCollector.HttpClientName),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FeedCollector>>()));
        services.AddHostedService<WatchFolderService>();
        services.AddHostedService<FeedCollectorService>();
        return services;
    }
}
