using System.Security.Claims;
using Microsoft.Extensions.Options;
using Narratives.Core.Accounts;
using Narratives.Ml;
using Narratives.Ml.Classification;
using Narratives.Ml.Registry;
using Narratives.Ml.Training;
using Narratives.Web.Security;

namespace Narratives.Web.Classification;

public static class ClassificationWebExtensions
{
    public static IServiceCollection AddNarrativesClassification(this IServiceCollection services)
    {
        services.AddNarrativesMl();
        services.AddHostedService<ClassifierBackgroundService>();
        return services;
    }

    /// <summary>Whose content items a signed-in person reviews: staff every item, a partner its organization's, anyone else none.</summary>
    public static ReviewScope? ReviewScopeOf(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Staff) ? ReviewScope.Everything
        : user.IsInRole(Roles.Partner) && ChangeOrganizationDataHandler.OrganizationOf(user) is { } org ? ReviewScope.Organization(org)
        : null;
}

/// <summary>
/// Keeps the classifier serving, off the request path: loads the active models at start (training and activating a
/// first version from the shipped corpus when the registry is empty), swaps in newly activated versions, and scores
/// the content items ingest has queued.
/// </summary>
public sealed class ClassifierBackgroundService(ActiveModels models, ModelRegistry registry, ProjectTrainer trainer, ClassificationJob job,
    IOptions<ClassifierOptions> options, ILogger<ClassifierBackgroundService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // do not hold up the start of the app
        var firstPass = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await models.RefreshAsync(stoppingToken);
                if (firstPass && !models.Ready && options.Value.TrainWhenEmpty
                    && (await registry.ListAsync(ClassifierTask.Theme, stoppingToken)).Count == 0)
                {
                    logger.LogInformation("The model registry is empty: training the first classifier from the shipped corpus");
                    trainer.TryStart("system (first start)", activate: true, afterwards: () => models.RefreshAsync(stoppingToken));
                }
                firstPass = false;
                if (models.Ready) await job.ClassifyPendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Npgsql.NpgsqlException ex)
            {
                // The database may be restarting; the next pass tries again, and /health says what is wrong meanwhile.
                logger.LogError(ex, "The classifier could not reach the database");
            }
            try { await Task.Delay(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }
}
