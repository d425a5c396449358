using Microsoft.Extensions.DependencyInjection;
using Narratives.Ml.Classification;
using Narratives.Ml.Registry;
using Narratives.Ml.Training;

namespace Narratives.Ml;

public static class MlServiceCollectionExtensions
{
    /// <summary>The model registry, the active models, the classification job, content review and the project trainer.</summary>
    public static IServiceCollection AddNarrativesMl(this IServiceCollection services)
    {
        services.AddOptions<ClassifierOptions>().BindConfiguration(ClassifierOptions.Section)
            .Validate(o => o.ReviewThreshold is > 0 and < 1, "Narratives:Classifier:ReviewThreshold must be between 0 and 1.")
            .Validate(o => o.BatchSize is >= 1 and <= 50_000, "Narratives:Classifier:BatchSize must be 1 to 50000.")
            .Validate(o => o.PollSeconds is >= 1 and <= 3600, "Narratives:Classifier:PollSeconds must be 1 to 3600.")
            .Validate(o => o.CrossValidationFolds is >= 2 and <= 20, "Narratives:Classifier:CrossValidationFolds must be 2 to 20.")
            .ValidateOnStart();
        services.AddSingleton<ModelRegistry>();
        services.AddSingleton<ActiveModels>();
        services.AddSingleton<TrainingStatus>();
        services.AddSingleton<ProjectTrainer>();
        services.AddSingleton<ContentReviewStore>();
        services.AddSingleton<ClassificationJob>();
        return services;
    }
}
