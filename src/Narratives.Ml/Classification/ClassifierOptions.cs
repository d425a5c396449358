namespace Narratives.Ml.Classification;

/// <summary>Settings under Narratives:Classifier.</summary>
public sealed class ClassifierOptions
{
    public const string Section = "Narratives:Classifier";

    /// <summary>Items whose theme confidence is below this go to the review queue.</summary>
    public float ReviewThreshold { get; set; } = 0.5f;

    /// <summary>Items scored per database round trip.</summary>
    public int BatchSize { get; set; } = 1_000;

    /// <summary>How often the job looks for new items and for a newly activated model.</summary>
    public int PollSeconds { get; set; } = 10;

    /// <summary>Train and activate models from the shipped corpus at start when the registry has none.</summary>
    public bool TrainWhenEmpty { get; set; } = true;

    /// <summary>Folds of the cross-validation whose report is stored with every model version.</summary>
    public int CrossValidationFolds { get; set; } = 5;
}
