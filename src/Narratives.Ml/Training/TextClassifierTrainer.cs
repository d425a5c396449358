using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Transforms.Text;
using Narratives.Ml.Scoring;
using Narratives.Ml.Text;

namespace Narratives.Ml.Training;

/// <summary>
/// Trains a text classifier on labelled texts: one theme per text (multiclass), or any number of labels per text
/// (multi-label: one binary model per label on shared features, each label's features scaled by how much more often
/// they occur with the label than without it, each label with its own threshold, chosen on held-out folds of the
/// training data). Same data, options and seed give the same model.
/// </summary>
public static class TextClassifierTrainer
{
    public static TextClassifier Train(IReadOnlyList<LabelledText> data, bool multiLabel, TrainingOptions? options = null,
        CancellationToken ct = default)
    {
        options ??= TrainingOptions.Default;
        var labels = Validate(data, multiLabel);
        var normalised = data.Select(d => d with { Text = TextNormaliser.NormaliseForModel(d.Text) }).ToList();
        var ml = new MLContext(seed: options.Seed);
        // The featurizer's dictionaries again, in our own code, for scoring without ML.NET: fitted to the same texts.
        var ngrams = NgramFeaturizer.Supports(options)
            ? NgramFeaturizer.Fit(normalised.Select(d => d.Text).ToList(), options)
            : null;
        TextClassifier classifier;
        if (!multiLabel)
        {
            var model = FitMulticlass(ml, normalised, labels, options);
            classifier = new TextClassifier(ml, model, new ModelManifest(ngrams is null ? 1 : ModelManifest.OwnFeaturizerFormat, false, labels, [],
                options.Trainer, options.Features, data.Count, Hash(data), DateTimeOffset.UtcNow), null, ngrams);
        }
        else
        {
            var thresholds = ChooseThresholds(normalised, labels, options, ct);
            var (featurizer, heads) = FitBinaryPerLabel(ml, normalised, labels, options);
            var manifest = new ModelManifest(ngrams is null ? ModelManifest.StoredHeadsFormat : ModelManifest.OwnFeaturizerFormat, true, labels, thresholds,
                options.Trainer, options.Features, data.Count, Hash(data), DateTimeOffset.UtcNow, options.NaiveBayesScaling);
            classifier = new TextClassifier(ml, featurizer, manifest, heads, ngrams);
        }
        _ = classifier.UsesLinearHeads; // reads the heads now, checking that our featurizer makes as many features as they weigh
        return classifier;
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

    static ITransformer FitMulticlass(MLContext ml, IReadOnlyList<LabelledText> normalised, IReadOnlyList<string> labels, TrainingOptions options)
    {
        var data = ml.Data.LoadFromEnumerable(normalised.Select(d => new TrainRow { Text = d.Text, LabelText = d.Labels[0] }).ToList());
        var keyData = ml.Data.LoadFromEnumerable(labels.Select(l => new KeyRow { LabelText = l }).ToList());
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label", nameof(TrainRow.LabelText), keyData: keyData).Fit(data).Transform(data);
        var pipeline = Featurizer(ml, options).AppendCacheCheckpoint(ml).Append(Trainer(ml, options));
        return pipeline.Fit(keyed);
    }

    /// <summary>
    /// Multi-label: one featurizer, then one binary classifier per label on its features, read out as linear heads that
    /// score every label in one pass over a text's features. With naive Bayes scaling each label's classifier learns
    /// from the features multiplied by their log-count ratio for the label (NBSVM, Wang and Manning 2012): a word or
    /// n-gram seen mostly with the label, or mostly without it, weighs more than one seen as often either way, so the
    /// regularisation spends itself on the uninformative ones. Scaling the features and then the weights by the same
    /// ratios gives the same scores, so the heads hold the product and score the unscaled features.
    /// </summary>
    internal static (ITransformer Featurizer, LinearHeads Heads) FitBinaryPerLabel(MLContext ml, IReadOnlyList<LabelledText> normalised,
        IReadOnlyList<string> labels, TrainingOptions options)
    {
        var texts = ml.Data.LoadFromEnumerable(normalised.Select(d => new TrainRow { Text = d.Text }).ToList());
        var featurizer = Featurizer(ml, options).Fit(texts);
        // Featurized once: every label's classifier passes over the same rows many times.
        var features = Features(featurizer.Transform(texts));
        var length = ((VectorDataViewType)featurizer.GetOutputSchema(texts.Schema)[TextClassifier.FeaturesColumn].Type).Size;
        var weights = new float[labels.Count][];
        var biases = new float[labels.Count];
        var slopes = new float[labels.Count];
        var offsets = new float[labels.Count];
        for (var k = 0; k < labels.Count; k++)
        {
            var label = labels[k];
            var truth = normalised.Select(d => d.Labels.Contains(label)).ToArray();
            (weights[k], biases[k], slopes[k], offsets[k]) = FitHead(ml, features, truth, length, options).Head;
        }
        return (featurizer, LinearHeads.Calibrated(featurizer, weights, biases, slopes, offsets));
    }

    /// <summary>
    /// One label's binary classifier on featurized rows: as ML.NET trained it (on the scaled features with naive Bayes
    /// scaling), the ratios it was scaled by, and its head for the unscaled features.
    /// </summary>
    internal static (ITransformer Trained, float[]? Ratios, (float[] Weights, float Bias, float Slope, float Offset) Head) FitHead(MLContext ml,
        IReadOnlyList<VBuffer<float>> features, bool[] truth, int length, TrainingOptions options)
    {
        var ratios = options.NaiveBayesScaling ? LogCountRatios(features, truth, length) : null;
        var trained = BinaryTrainer(ml, options).Fit(ml.Data.Cache(LabelRows(ml, features, truth, ratios, length)));
        var head = ReadHead(trained, length);
        if (ratios is not null)
            for (var i = 0; i < length; i++) head.Weights[i] *= ratios[i];
        return (trained, ratios, head);
    }

    /// <summary>Featurized rows and whether each has the label, the features scaled by <paramref name="ratios"/> if given.</summary>
    internal static IDataView LabelRows(MLContext ml, IReadOnlyList<VBuffer<float>> features, bool[] truth, float[]? ratios, int length)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, length);
        return ml.Data.LoadFromEnumerable(features.Select((f, i) => new FeatureRow { Features = ratios is null ? f : Scale(f, ratios), Label = truth[i] }).ToList(), schema);
    }

    /// <summary>
    /// Each feature's log-count ratio for a label: log of (p / |p|) / (q / |q|), where p counts the rows with the label
    /// in which the feature occurs and q the rows without it, each plus one.
    /// </summary>
    internal static float[] LogCountRatios(IReadOnlyList<VBuffer<float>> features, IReadOnlyList<bool> truth, int length)
    {
        var p = new double[length];
        var q = new double[length];
        for (var r = 0; r < features.Count; r++)
        {
            var counts = truth[r] ? p : q;
            var values = features[r].GetValues();
            var indices = features[r].GetIndices();
            for (var i = 0; i < values.Length; i++)
                if (values[i] != 0) counts[features[r].IsDense ? i : indices[i]]++;
        }
        double pSum = 0, qSum = 0;
        for (var i = 0; i < length; i++)
        {
            p[i]++;
            q[i]++;
            pSum += p[i];
            qSum += q[i];
        }
        var ratios = new float[length];
        for (var i = 0; i < length; i++) ratios[i] = (float)Math.Log(p[i] / pSum / (q[i] / qSum));
        return ratios;
    }

    static VBuffer<float> Scale(VBuffer<float> features, float[] ratios)
    {
        var values = features.GetValues().ToArray();
        var indices = features.GetIndices();
        for (var i = 0; i < values.Length; i++) values[i] *= ratios[features.IsDense ? i : indices[i]];
        return features.IsDense ? new VBuffer<float>(features.Length, values) : new VBuffer<float>(features.Length, values.Length, values, indices.ToArray());
    }

    /// <summary>A trained binary classifier's weights, bias and Platt calibration, whichever trainer made it.</summary>
    static (float[] Weights, float Bias, float Slope, float Offset) ReadHead(ITransformer trained, int length)
    {
        // A trainer followed by a calibrator is a chain of the two (of the calibrator's type, hence not TransformerChain<ITransformer>).
        var parts = trained is IEnumerable<ITransformer> chain ? chain.ToArray() : [trained];
        LinearBinaryModelParameters? linear = null;
        PlattCalibrator? platt = null;
        foreach (var part in parts)
            switch (part)
            {
                case ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> calibrated:
                    (linear, platt) = (calibrated.Model.SubModel, calibrated.Model.Calibrator);
                    break;
                case ISingleFeaturePredictionTransformer<LinearBinaryModelParameters> uncalibrated:
                    linear = uncalibrated.Model;
                    break;
                case ISingleFeaturePredictionTransformer<PlattCalibrator> calibrator:
                    platt = calibrator.Model;
                    break;
            }
        if (linear is null || platt is null) throw new InvalidOperationException($"The {trained.GetType().Name} trained for a label is not a Platt-calibrated linear model.");
        var weights = new float[length];
        var read = linear.Weights;
        for (var i = 0; i < Math.Min(length, read.Count); i++) weights[i] = read[i];
        return (weights, linear.Bias, (float)platt.Slope, (float)platt.Offset);
    }

    internal static VBuffer<float>[] Features(IDataView featurized)
    {
        var column = featurized.Schema[TextClassifier.FeaturesColumn];
        using var cursor = featurized.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var rows = new List<VBuffer<float>>();
        while (cursor.MoveNext())
        {
            VBuffer<float> row = default;
            getter(ref row);
            rows.Add(row);
        }
        return rows.ToArray();
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
            var (featurizer, heads) = FitBinaryPerLabel(ml, train, labels, options);
            var features = Features(featurizer.Transform(ml.Data.LoadFromEnumerable(held.Select(i => new TrainRow { Text = normalised[i].Text }).ToList())));
            for (var j = 0; j < held.Count; j++) probabilities[held[j]] = heads.Probabilities(features[j]);
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

    sealed class FeatureRow
    {
        public VBuffer<float> Features;
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
