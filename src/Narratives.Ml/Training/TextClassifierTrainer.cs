using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;
using Narratives.Ml.Scoring;
using Narratives.Ml.Text;

namespace Narratives.Ml.Training;

/// <summary>
/// Trains a text classifier on labelled texts: one theme per text (multiclass), or any number of labels per text
/// (multi-label: one binary model per label on shared features, each label with its own threshold, chosen on
/// held-out folds of the training data). Same data, options and seed give the same model.
/// </summary>
public static class TextClassifierTrainer
{
    public static TextClassifier Train(IReadOnlyList<LabelledText> data, bool multiLabel, TrainingOptions? options = null,
        CancellationToken ct = default)
    {
        options ??= TrainingOptions.Default;
        var labels = Validate(data, multiLabel);
        var normalised = data.Select(d => d with { Text = TextNormaliser.NormaliseForModel(d.Text) }).ToList();
        var thresholds = multiLabel ? ChooseThresholds(normalised, labels, options, ct) : [];
        var ml = new MLContext(seed: options.Seed);
        var model = Fit(ml, normalised, labels, multiLabel, options);
        var manifest = new ModelManifest(1, multiLabel, labels, thresholds, options.Trainer, options.Features, data.Count,
            Hash(data), DateTimeOffset.UtcNow);
        return new TextClassifier(ml, model, manifest);
    }

    /// <summary>The labels in a stable order; refuses data a classifier cannot learn from, saying why.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<LabelledText> data, bool multiLabel)
    {
        if (data.Count == 0) throw new TrainingDataException("The training data has no rows.");
        for (var i = 0; i < data.Count; i++)
        {
            if (data[i].Labels.Count == 0) throw new TrainingDataException($"Row {i + 1} has no label.");
            if (!multiLabel && data[i].Labels.Count > 1)
                throw new TrainingDataException($"Row {i + 1} has {data[i].Labels.Count} labels; use --multi-label for data with several labels per row.");
        }
        var counts = data.SelectMany(d => d.Labels.Distinct()).GroupBy(l => l, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var single = counts.Where(c => c.Value < 2).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();
        if (single.Count > 0)
            throw new TrainingDataException($"The label{(single.Count > 1 ? "s" : "")} {string.Join(", ", single.Select(l => $"'{l}'"))} " +
                $"{(single.Count > 1 ? "have" : "has")} a single example; every label needs at least two to learn from and to be checked.");
        if (counts.Count < 2) throw new TrainingDataException($"The training data has only one label ('{counts.Keys.First()}'); a classifier needs at least two.");
        return counts.Keys.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>SHA-256 of the texts and labels in order: which data a model was trained on.</summary>
    public static string Hash(IEnumerable<LabelledText> data)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in data)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(row.Text));
            sha.AppendData("\u0001"u8);
            sha.AppendData(Encoding.UTF8.GetBytes(string.Join(';', row.Labels)));
            sha.AppendData("\u0002"u8);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    internal static ITransformer Fit(MLContext ml, IReadOnlyList<LabelledText> normalised, IReadOnlyList<string> labels, bool multiLabel,
        TrainingOptions options) =>
        multiLabel ? FitBinaryPerLabel(ml, normalised, labels, options) : FitMulticlass(ml, normalised, labels, options);

    static ITransformer FitMulticlass(MLContext ml, IReadOnlyList<LabelledText> normalised, IReadOnlyList<string> labels, TrainingOptions options)
    {
        var data = ml.Data.LoadFromEnumerable(normalised.Select(d => new TrainRow { Text = d.Text, LabelText = d.Labels[0] }).ToList());
        var keyData = ml.Data.LoadFromEnumerable(labels.Select(l => new KeyRow { LabelText = l }).ToList());
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(TrainRow.LabelText), keyData: keyData).Fit(data).Transform(data);
        var pipeline = Featurizer(ml, options).AppendCacheCheckpoint(ml).Append(Trainer(ml, options));
        return pipeline.Fit(keyed);
    }

    /// <summary>
    /// Multi-label: one featurizer, then one binary classifier per label on the same features, each label's
    /// probability copied out and the lot gathered into one Score vector in label order: one Transform scores them all.
    /// </summary>
    static ITransformer FitBinaryPerLabel(MLContext ml, IReadOnlyList<LabelledText> normalised, IReadOnlyList<string> labels, TrainingOptions options)
    {
        var texts = ml.Data.LoadFromEnumerable(normalised.Select(d => new BinaryRow { Text = d.Text }).ToList());
        var featurizer = Featurizer(ml, options).Fit(texts);
        var parts = new List<ITransformer> { featurizer };
        var probabilityColumns = new string[labels.Count];
        for (var k = 0; k < labels.Count; k++)
        {
            var label = labels[k];
            var rows = ml.Data.LoadFromEnumerable(normalised.Select(d => new BinaryRow { Text = d.Text, Label = d.Labels.Contains(label) }).ToList());
            // Cached: the trainer passes over the data many times, and featurizing is the expensive part.
            var features = ml.Data.Cache(featurizer.Transform(rows));
            var binary = BinaryTrainer(ml, options).Fit(features);
            probabilityColumns[k] = $"P{k}";
            var copy = ml.Transforms.CopyColumns(probabilityColumns[k], "Probability").Fit(binary.Transform(features));
            parts.Add(binary);
            parts.Add(copy);
        }
        var gather = ml.Transforms.Concatenate(TextClassifier.ScoreColumn, probabilityColumns).Fit(new TransformerChain<ITransformer>(parts.ToArray()).Transform(texts));
        parts.Add(gather);
        return new TransformerChain<ITransformer>(parts.ToArray());
    }

    static IEstimator<ITransformer> BinaryTrainer(MLContext ml, TrainingOptions options) => options.Trainer switch
    {
        TrainerKind.LbfgsMaximumEntropy => ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            // By cross-validation micro-F1 on 2,880 rows: 0.703 at 0.01, 0.704 at 0.02, and 0.005 was 0.008 below 0.01 with
            // the rows in another order (on 1,440 rows: 0.667 at 0.01, 0.657 at 0.005, 0.662 at 0.02); L1 did not help.
            L1Regularization = 0,
            L2Regularization = options.LabelL2,
            OptimizationTolerance = 1e-4f,
            NumberOfThreads = 1,
            FeatureColumnName = TextClassifier.FeaturesColumn,
        }),
        TrainerKind.SdcaMaximumEntropy => ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
        {
            NumberOfThreads = 1,
            FeatureColumnName = TextClassifier.FeaturesColumn,
        }),
        TrainerKind.AveragedPerceptron => ml.BinaryClassification.Trainers.AveragedPerceptron(featureColumnName: TextClassifier.FeaturesColumn, numberOfIterations: 10)
            .Append(ml.BinaryClassification.Calibrators.Platt()),
        _ => throw new ArgumentOutOfRangeException(nameof(options)),
    };

    /// <summary>
    /// The features, built from ML.NET's text transforms one by one rather than FeaturizeText so that nothing runs that
    /// the normaliser has done already (case, diacritics): word unigrams and bigrams, TF-IDF weighted and L2-normalised,
    /// and character n-grams (each text with start and end markers) L2-normalised on their own, then put side by side
    /// as "Char" and "Word" (the slot names of words are what explanations show).
    /// </summary>
    internal static IEstimator<ITransformer> Featurizer(MLContext ml, TrainingOptions options)
    {
        const NgramExtractingEstimator.WeightingCriteria tfIdf = NgramExtractingEstimator.WeightingCriteria.TfIdf;
        // TF-IDF: with a few hundred examples per class, words common to every theme otherwise dominate (0.74 against
        // 0.67 macro-F1 by cross-validation on the shipped corpus).
        var words = ml.Transforms.Text.TokenizeIntoWords("WordTokens", TextClassifier.TextColumn, [' '])
            .Append(ml.Transforms.Conversion.MapValueToKey("WordKeys", "WordTokens"))
            .Append(ml.Transforms.Text.ProduceNgrams("WordGrams", "WordKeys", ngramLength: 2, useAllLengths: true, weighting: tfIdf))
            .Append(ml.Transforms.NormalizeLpNorm("Word", "WordGrams"));
        var dropped = new List<string> { "WordTokens", "WordKeys", "WordGrams", "Word" };
        IEstimator<ITransformer> pipeline = words;
        if (options.Features == FeatureKind.Words)
            pipeline = pipeline.Append(ml.Transforms.CopyColumns(TextClassifier.FeaturesColumn, "Word"));
        else
        {
            var chars = ml.Transforms.Text.TokenizeIntoCharactersAsKeys("CharKeys", TextClassifier.TextColumn, useMarkerCharacters: true);
            pipeline = options.Features == FeatureKind.WordsAndCharacters
                // Character n-grams of one length only: 4-grams 0.746 against 0.738 for 3-grams, 0.734 for lengths 1 to 4
                // (1,440 rows); 5-grams 0.838 against 0.854 for 4-grams (2,880 rows).
                ? pipeline.Append(chars).Append(ml.Transforms.Text.ProduceNgrams("CharGrams", "CharKeys", ngramLength: options.CharNgramLength,
                    useAllLengths: false, weighting: tfIdf))
                // Hashing counts the n-grams without looking each one up in a dictionary: faster to featurize, no dictionary
                // in the model file, but with collisions and no IDF: 0.704 against 0.757 macro-F1 (1,440 rows).
                : pipeline.Append(chars).Append(ml.Transforms.Text.ProduceHashedNgrams("CharGrams", "CharKeys", numberOfBits: options.CharHashBits,
                    ngramLength: options.CharNgramLength, useAllLengths: false));
            pipeline = pipeline.Append(ml.Transforms.NormalizeLpNorm("Char", "CharGrams"))
                .Append(ml.Transforms.Concatenate(TextClassifier.FeaturesColumn, "Char", "Word"));
            dropped.AddRange(["CharKeys", "CharGrams", "Char"]);
        }
        return pipeline.Append(ml.Transforms.DropColumns([.. dropped]));
    }

    static IEstimator<ITransformer> Trainer(MLContext ml, TrainingOptions options) => options.Trainer switch
    {
        TrainerKind.LbfgsMaximumEntropy => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            L1Regularization = options.L1,
            L2Regularization = options.L2,
            // Tolerance 1e-4 instead of 1e-7: the same cross-validated scores at a fraction of the iterations.
            OptimizationTolerance = 1e-4f,
            NumberOfThreads = 1, // one thread: the same model on every machine
            FeatureColumnName = TextClassifier.FeaturesColumn,
        }),
        TrainerKind.SdcaMaximumEntropy => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
        {
            NumberOfThreads = 1,
            FeatureColumnName = TextClassifier.FeaturesColumn,
        }),
        TrainerKind.AveragedPerceptron => ml.MulticlassClassification.Trainers.OneVersusAll(
            ml.BinaryClassification.Trainers.AveragedPerceptron(featureColumnName: TextClassifier.FeaturesColumn, numberOfIterations: 10),
            useProbabilities: true),
        _ => throw new ArgumentOutOfRangeException(nameof(options)),
    };

    /// <summary>
    /// Per-label thresholds for a multi-label task, chosen on out-of-fold probabilities of the training data so that
    /// each label's F1 is highest. Too little data for folds: one threshold for every label.
    /// </summary>
    static float[] ChooseThresholds(IReadOnlyList<LabelledText> normalised, IReadOnlyList<string> labels, TrainingOptions options,
        CancellationToken ct)
    {
        const float fallback = 0.3f;
        var folds = Folds.Stratified(normalised, options.ThresholdFolds, options.Seed);
        if (folds is null) return labels.Select(_ => fallback).ToArray();
        for (var k = 0; k < options.ThresholdFolds; k++)
            if (normalised.Where((_, i) => folds[i] != k).SelectMany(d => d.Labels).Distinct(StringComparer.Ordinal).Count() < labels.Count)
                return labels.Select(_ => fallback).ToArray();
        var probabilities = new float[normalised.Count][];
        // The inner folds are independent: they share the cores, each writing only its own rows.
        Parallel.For(0, options.ThresholdFolds, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
        {
            var train = normalised.Where((_, i) => folds[i] != k).ToList();
            var held = Enumerable.Range(0, normalised.Count).Where(i => folds[i] == k).ToList();
            var ml = new MLContext(seed: options.Seed);
            var model = Fit(ml, train, labels, true, options);
            var scores = Score(ml, model, held.Select(i => normalised[i].Text).ToList());
            for (var j = 0; j < held.Count; j++) probabilities[held[j]] = scores[j];
        });
        var thresholds = new float[labels.Count];
        for (var l = 0; l < labels.Count; l++)
        {
            var best = (F1: -1.0, T: fallback);
            for (var t = 0.05f; t < 0.9f; t += 0.01f)
            {
                int tp = 0, fp = 0, fn = 0;
                for (var i = 0; i < normalised.Count; i++)
                {
                    var yes = probabilities[i][l] >= t;
                    var truth = normalised[i].Labels.Contains(labels[l]);
                    if (yes && truth) tp++; else if (yes) fp++; else if (truth) fn++;
                }
                var f1 = tp == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
                if (f1 > best.F1 + 1e-9) best = (f1, t);
            }
            thresholds[l] = MathF.Round(best.T, 2);
        }
        if (options.JointThresholds) RefineForMicroF1(thresholds, probabilities, normalised.Select(d => labels.Select(d.Labels.Contains).ToArray()).ToArray());
        return thresholds;
    }

    /// <summary>
    /// Moves each label's threshold in turn (twice round) to where micro-F1 over every label is highest, deciding as the
    /// classifier does: every label at or above its threshold, else the one most above. Each label's own best F1 ignores
    /// that fallback and the other labels, and gave about 1.8 audiences per text for 1.5 true ones.
    /// </summary>
    internal static void RefineForMicroF1(float[] thresholds, float[][] probabilities, bool[][] truth)
    {
        var best = MicroF1(thresholds, probabilities, truth);
        for (var round = 0; round < 2; round++)
            for (var l = 0; l < thresholds.Length; l++)
            {
                var kept = thresholds[l];
                for (var step = 5; step < 90; step++)
                {
                    thresholds[l] = step / 100f;
                    var f1 = MicroF1(thresholds, probabilities, truth);
                    if (f1 > best + 1e-9) (best, kept) = (f1, thresholds[l]);
                }
                thresholds[l] = kept;
            }
    }

    internal static double MicroF1(float[] thresholds, float[][] probabilities, bool[][] truth)
    {
        int tp = 0, fp = 0, fn = 0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            var any = false;
            var top = 0;
            var topScale = float.NegativeInfinity;
            for (var l = 0; l < thresholds.Length; l++)
            {
                var scale = TextClassifier.ThresholdScale(p[l], thresholds[l]);
                if (scale > topScale) (top, topScale) = (l, scale);
                if (scale >= 0.5f) any = true;
            }
            for (var l = 0; l < thresholds.Length; l++)
            {
                var yes = any ? TextClassifier.ThresholdScale(p[l], thresholds[l]) >= 0.5f : l == top;
                if (yes && truth[i][l]) tp++; else if (yes) fp++; else if (truth[i][l]) fn++;
            }
        }
        return tp == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn);
    }

    internal static float[][] Score(MLContext ml, ITransformer model, IReadOnlyList<string> normalisedTexts)
    {
        var scored = model.Transform(ml.Data.LoadFromEnumerable(normalisedTexts.Select(t => new TrainRow { Text = t, LabelText = "" }).ToList()));
        var column = scored.Schema[TextClassifier.ScoreColumn];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        var result = new List<float[]>(normalisedTexts.Count);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            result.Add(buffer.DenseValues().ToArray());
        }
        return result.ToArray();
    }

    sealed class TrainRow
    {
        public string Text { get; set; } = "";
        public string LabelText { get; set; } = "";
    }

    sealed class BinaryRow
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    sealed class KeyRow
    {
        public string LabelText { get; set; } = "";
    }
}

/// <summary>Fold assignment that keeps every label's share in every fold (by each row's first label), reproducibly.</summary>
public static class Folds
{
    /// <summary>The fold of each row, or null when there are too few rows for k folds.</summary>
    public static int[]? Stratified(IReadOnlyList<LabelledText> data, int k, int seed)
    {
        if (k < 2 || data.Count < 2 * k) return null;
        var random = new Random(seed);
        var folds = new int[data.Count];
        var next = 0;
        foreach (var group in Enumerable.Range(0, data.Count).GroupBy(i => data[i].Labels[0], StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var members = group.ToArray();
            random.Shuffle(members);
            foreach (var i in members) folds[i] = next++ % k;
        }
        return folds;
    }
}
