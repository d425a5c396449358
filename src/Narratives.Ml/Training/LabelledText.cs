namespace Narratives.Ml.Training;

/// <summary>One training example: a text, its labels (exactly one for a single-label task) and its language if known.</summary>
public sealed record LabelledText(string Text, IReadOnlyList<string> Labels, string? Language = null);

/// <summary>The learning algorithms the classifier can use; all of them are compared by cross-validation.</summary>
public enum TrainerKind
{
    LbfgsMaximumEntropy,
    SdcaMaximumEntropy,
    AveragedPerceptron,
}

/// <summary>What the text becomes before the trainer sees it.</summary>
public enum FeatureKind
{
    /// <summary>Word unigrams and bigrams.</summary>
    Words,
    /// <summary>Word unigrams and bigrams plus character 4-grams (robust to Arabic and French morphology).</summary>
    WordsAndCharacters,
}

public sealed record TrainingOptions(
    TrainerKind Trainer = TrainerKind.LbfgsMaximumEntropy,
    FeatureKind Features = FeatureKind.WordsAndCharacters,
    int Seed = 2354,
    /// <summary>Folds used inside training to choose the per-label thresholds of a multi-label task.</summary>
    int ThresholdFolds = 3)
{
    public static TrainingOptions Default { get; } = new();

    public string Describe() => $"{Trainer}, {(Features == FeatureKind.Words ? "word 1-2-grams" : "word 1-2-grams + char 4-grams")}";
}

/// <summary>The training data is unusable; the message says why, in words for the person who supplied it.</summary>
public sealed class TrainingDataException(string message) : Exception(message);
