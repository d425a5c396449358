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
    /// <summary>Word unigrams and bigrams plus character n-grams from a dictionary (robust to Arabic and French morphology).</summary>
    WordsAndCharacters,
    /// <summary>Word unigrams and bigrams plus hashed character n-grams: no character dictionary, faster to featurize.</summary>
    WordsAndHashedCharacters,
}

public sealed record TrainingOptions(
    TrainerKind Trainer = TrainerKind.LbfgsMaximumEntropy,
    FeatureKind Features = FeatureKind.WordsAndCharacters,
    int Seed = 2354,
    /// <summary>Folds used inside training to choose the per-label thresholds of a multi-label task.</summary>
    int ThresholdFolds = 3)
{
    public static TrainingOptions Default { get; } = new();

    /// <summary>Length of the character n-grams (only this length, not the shorter ones).</summary>
    public int CharNgramLength { get; init; } = 4;

    /// <summary>Bits of the hash of character n-grams with <see cref="FeatureKind.WordsAndHashedCharacters"/>.</summary>
    public int CharHashBits { get; init; } = 18;

    /// <summary>
    /// Regularisation of the single-label (theme) L-BFGS model. On the 2,880-row corpus L2 0.01, 0.02 and 0.03 without
    /// L1 all give 0.858 macro-F1 against 0.856 for the earlier L1 0.003 with L2 0.003, and train several times faster
    /// (L1 makes L-BFGS use the slower OWL-QN steps); 0.02 is the middle of that plateau.
    /// </summary>
    public float L1 { get; init; } = 0f;
    public float L2 { get; init; } = 0.02f;

    /// <summary>
    /// Multi-label thresholds: after each label's own best F1, moved in turn to the best micro-F1 of the whole decision
    /// (see the trainer); false keeps each label's own best.
    /// </summary>
    public bool JointThresholds { get; init; } = true;

    /// <summary>
    /// Multi-label: each label's classifier learns from the features scaled by their naive Bayes log-count ratio for
    /// the label (see the trainer): 0.732 against 0.711 micro-F1 by cross-validation on the 2,880-row corpus.
    /// </summary>
    public bool NaiveBayesScaling { get; init; } = true;

    /// <summary>
    /// L2 regularisation of each label's binary L-BFGS model in a multi-label task. With naive Bayes scaling 0.1, 0.2
    /// and 0.3 give the same micro-F1 (0.732 to 0.734) and 0.01 gives 0.721; without it 0.01 was best (0.711).
    /// </summary>
    public float LabelL2 { get; init; } = 0.2f;

    public string Describe(bool multiLabel = false) => Trainer + ", " + Features switch
    {
        FeatureKind.Words => "word 1-2-grams",
        FeatureKind.WordsAndCharacters => $"word 1-2-grams + char {CharNgramLength}-grams",
        _ => $"word 1-2-grams + hashed char {CharNgramLength}-grams ({CharHashBits} bits)",
    } + (multiLabel && NaiveBayesScaling ? ", naive Bayes scaled per label" : "");
}

/// <summary>The training data is unusable; the message says why, in words for the person who supplied it.</summary>
public sealed class TrainingDataException(string message) : Exception(message);
