using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Narratives.Ml.Text;
using Narratives.Ml.Training;

namespace Narratives.Ml.Scoring;

/// <summary>
/// What a saved model is: its labels, how it decides, and how it was trained. Format 1 holds the whole model in
/// ML.NET's file; format 2 (multi-label) holds the featurizer there and each label's linear head beside it; format 3
/// (either kind) adds the featurizer's n-gram dictionaries and inverse document frequencies, so that scoring can make
/// the features without ML.NET (models with hashed character n-grams stay at format 1 or 2).
/// </summary>
public sealed record ModelManifest(
    int Format,
    bool MultiLabel,
    IReadOnlyList<string> Labels,
    IReadOnlyList<float> Thresholds,
    TrainerKind Trainer,
    FeatureKind Features,
    int TrainingRows,
    string TrainingDataHash,
    DateTimeOffset TrainedAt,
    bool NaiveBayesScaled = false)
{
    public const int StoredHeadsFormat = 2, OwnFeaturizerFormat = 3;
}

/// <summary>
/// A trained text classifier. Scoring is thread-safe: the shared transformer, heads and n-gram tables are immutable, and
/// each thread scores with scratch space of its own (our featurizer's, or an ML.NET prediction engine for models
/// without it), taken from a pool and given back (never used by two threads at once), so any number of threads may
/// score at once.
/// </summary>
public sealed class TextClassifier
{
    internal const string ScoreColumn = "Score", FeaturesColumn = "Features", TextColumn = "Text";
    const string ManifestEntry = "manifest.json", ModelEntry = "model.mlnet", HeadsEntry = "heads.bin", FeaturizerEntry = "featurizer.bin";
    // Below this many texts a batch is scored on one thread: splitting it costs more than it saves.
    const int ParallelThreshold = 256, ChunkSize = 128;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    readonly MLContext ml;
    readonly ITransformer model;
    readonly Lazy<Explainer?> explainer;
    readonly Lazy<LinearHeads?> heads;
    readonly LinearHeads? storedHeads;
    readonly NgramFeaturizer? ngrams;
    readonly ConcurrentBag<PredictionEngine<TextRow, VectorRow>> engines = [];

    /// <summary>
    /// A model: an ML.NET chain, or (with <paramref name="storedHeads"/>) an ML.NET featurizer and the heads that score
    /// its features; with <paramref name="ngrams"/>, the same featurizer in our own code, which the heads score from.
    /// </summary>
    internal TextClassifier(MLContext ml, ITransformer model, ModelManifest manifest, LinearHeads? storedHeads = null, NgramFeaturizer? ngrams = null)
    {
        var headsStored = manifest.MultiLabel && manifest.Format >= ModelManifest.StoredHeadsFormat;
        if (storedHeads is null == headsStored)
            throw new InvalidDataException($"A format {manifest.Format} model {(storedHeads is null ? "needs" : "has no")} stored heads.");
        if (ngrams is not null && manifest.Format < ModelManifest.OwnFeaturizerFormat)
            throw new InvalidDataException($"A format {manifest.Format} model has no featurizer of its own.");
        this.ml = ml;
        this.model = model;
        this.storedHeads = storedHeads;
        this.ngrams = ngrams;
        Manifest = manifest;
        explainer = new Lazy<Explainer?>(() => Explainer.TryCreate(model), LazyThreadSafetyMode.ExecutionAndPublication);
        heads = new Lazy<LinearHeads?>(() =>
        {
            var read = storedHeads ?? LinearHeads.TryCreate(model, manifest.Labels.Count, manifest.MultiLabel);
            if (read is not null && ngrams is not null && read.FeatureLength != ngrams.Length)
                throw new InvalidDataException($"The model's featurizer makes {ngrams.Length} features for heads of {read.FeatureLength}.");
            return read;
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ModelManifest Manifest { get; }
    public IReadOnlyList<string> Labels => Manifest.Labels;
    public bool MultiLabel => Manifest.MultiLabel;

    public Prediction Predict(string text) => PredictBatch([text])[0];

    /// <summary>Whether the model scores through its read-out linear heads (the fast path).</summary>
    internal bool UsesLinearHeads => heads.Value is not null;

    /// <summary>Whether the fast path also makes the features itself rather than through ML.NET.</summary>
    internal bool UsesOwnFeaturizer => ngrams is not null && UsesLinearHeads;

    /// <summary>A text's features as the fitted ML.NET featurizer makes them (to check our own).</summary>
    internal VBuffer<float> FeaturesFromMlNet(string text)
    {
        var scored = model.Transform(new MLContext().Data.LoadFromEnumerable(new[] { new TextRow { Text = TextNormaliser.NormaliseForModel(text) } }));
        var column = scored.Schema[FeaturesColumn];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> features = default;
        if (cursor.MoveNext()) getter(ref features);
        return features;
    }

    /// <summary>A text's features from our own featurizer, a copy; null for a model without one.</summary>
    internal VBuffer<float>? FeaturesFromOwnFeaturizer(string text)
    {
        if (ngrams is null) return null;
        var scratch = ngrams.RentScratch();
        try
        {
            VBuffer<float> copy = default;
            ngrams.Featurize(TextNormaliser.NormaliseForModel(text), scratch).CopyTo(ref copy);
            return copy;
        }
        finally
        {
            ngrams.Return(scratch);
        }
    }

    /// <summary>
    /// Each label's probability from the full ML.NET chain, bypassing the fast path (to check it). A model whose heads
    /// are stored beside its featurizer has no such chain.
    /// </summary>
    internal float[][] ScoreWithChain(IReadOnlyList<string> texts) => storedHeads is null
        ? TextClassifierTrainer.Score(ml, model, texts.Select(TextNormaliser.NormaliseForModel).ToList())
        : throw new InvalidOperationException("This model's heads are stored beside its featurizer, not in an ML.NET chain.");

    /// <summary>Scores many texts at once; large batches are shared out in chunks across the processor cores.</summary>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        if (texts.Count == 0) return [];
        var results = new Prediction[texts.Count];
        if (texts.Count < ParallelThreshold)
        {
            ScoreRange(texts, 0, texts.Count, results);
            return results;
        }
        // Chunks rather than one part per core: a core slowed by other work then takes fewer of them.
        var chunks = (texts.Count + ChunkSize - 1) / ChunkSize;
        Parallel.For(0, chunks, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount },
            chunk => ScoreRange(texts, chunk * ChunkSize, Math.Min(texts.Count, (chunk + 1) * ChunkSize), results));
        return results;
    }

    /// <summary>Scores the texts with ML.NET's featurizer even when the model has its own (to check it).</summary>
    internal IReadOnlyList<Prediction> PredictBatchWithMlNetFeatures(IReadOnlyList<string> texts)
    {
        var results = new Prediction[texts.Count];
        ScoreRange(texts, 0, texts.Count, results, ownFeatures: false);
        return results;
    }

    internal MLContext MlContext => ml;
    internal ITransformer Model => model;
    internal LinearHeads? StoredHeads => storedHeads;

    void ScoreRange(IReadOnlyList<string> texts, int start, int end, Prediction[] results, bool ownFeatures = true)
    {
        var fast = heads.Value;
        if (fast is not null && ngrams is not null && ownFeatures)
        {
            ScoreRangeOwnFeatures(texts, start, end, results, fast, ngrams);
            return;
        }
        var engine = RentEngine(fast);
        try
        {
            var row = new TextRow();
            var output = new VectorRow();
            for (var i = start; i < end; i++)
            {
                row.Text = TextNormaliser.NormaliseForModel(texts[i]);
                engine.Predict(row, ref output);
                results[i] = Decide(fast is null ? output.Values.DenseValues().ToArray() : fast.Probabilities(output.Values));
            }
        }
        finally
        {
            engines.Add(engine);
        }
    }

    void ScoreRangeOwnFeatures(IReadOnlyList<string> texts, int start, int end, Prediction[] results, LinearHeads fast, NgramFeaturizer featurizer)
    {
        var scratch = featurizer.RentScratch();
        try
        {
            for (var i = start; i < end; i++)
                results[i] = Decide(fast.Probabilities(featurizer.Featurize(TextNormaliser.NormaliseForModel(texts[i]), scratch)));
        }
        finally
        {
            featurizer.Return(scratch);
        }
    }

    /// <summary>
    /// An engine over the featurizer alone when the linear heads are read out, else over the whole chain (its scores).
    /// Creating one costs a few milliseconds, so they are kept for the next batch.
    /// </summary>
    PredictionEngine<TextRow, VectorRow> RentEngine(LinearHeads? fast)
    {
        if (engines.TryTake(out var engine)) return engine;
        var output = SchemaDefinition.Create(typeof(VectorRow));
        output[nameof(VectorRow.Values)].ColumnName = fast is null ? ScoreColumn : FeaturesColumn;
        return ml.Model.CreatePredictionEngine<TextRow, VectorRow>(fast?.Featurizer ?? model, ignoreMissingColumns: true, outputSchemaDefinition: output);
    }

    Prediction Decide(float[] probabilities)
    {
        var labels = Manifest.Labels;
        if (!Manifest.MultiLabel)
        {
            var all = labels.Select((l, i) => new LabelScore(l, Clamp(probabilities[i]))).OrderByDescending(s => s.Confidence).ToList();
            return new Prediction([all[0]], all);
        }
        var scores = new List<LabelScore>(labels.Count);
        for (var i = 0; i < labels.Count; i++)
            scores.Add(new LabelScore(labels[i], ThresholdScale(probabilities[i], Manifest.Thresholds[i])));
        scores.Sort((a, b) => b.Confidence.CompareTo(a.Confidence));
        var chosen = scores.Where(s => s.Confidence >= 0.5f).ToList();
        if (chosen.Count == 0) chosen.Add(scores[0]); // every item speaks to someone
        return new Prediction(chosen, scores);
    }

    /// <summary>Maps a probability to [0, 1] so that the label's own threshold lands on 0.5.</summary>
    internal static float ThresholdScale(float p, float threshold)
    {
        p = Clamp(p);
        threshold = Math.Clamp(threshold, 1e-4f, 1 - 1e-4f);
        return p < threshold ? 0.5f * p / threshold : 0.5f + 0.5f * (p - threshold) / (1 - threshold);
    }

    static float Clamp(float p) => float.IsNaN(p) ? 0 : Math.Clamp(p, 0, 1);

    /// <summary>
    /// The words and n-grams of the text that pushed it most toward the label: each present feature's value times the
    /// linear model's weight for that label. Empty when the model is not linear.
    /// </summary>
    public IReadOnlyList<Contribution> Explain(string text, string label, int top = 8)
    {
        var labelIndex = Manifest.Labels.ToList().IndexOf(label);
        if (labelIndex < 0 || explainer.Value is not { } e) return [];
        var scored = model.Transform(new MLContext().Data.LoadFromEnumerable(new[] { new TextRow { Text = TextNormaliser.NormaliseForModel(text) } }));
        var column = scored.Schema[FeaturesColumn];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> features = default;
        if (!cursor.MoveNext()) return [];
        getter(ref features);
        return e.Explain(features, labelIndex, column, top);
    }

    public void Save(Stream stream)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        using (var entry = zip.CreateEntry(ManifestEntry, CompressionLevel.Optimal).Open())
            JsonSerializer.Serialize(entry, Manifest, Json);
        using var buffer = new MemoryStream();
        ml.Model.Save(model, null, buffer);
        using (var modelEntry = zip.CreateEntry(ModelEntry, CompressionLevel.NoCompression).Open()) // ML.NET's file is a zip already
        {
            buffer.Position = 0;
            buffer.CopyTo(modelEntry);
        }
        if (ngrams is not null)
        {
            using var featurizerEntry = zip.CreateEntry(FeaturizerEntry, CompressionLevel.Fastest).Open();
            ngrams.Write(featurizerEntry);
        }
        if (storedHeads is null) return;
        // Fastest: the weights are floats that compress little, and the file is read at every start.
        using var headsEntry = zip.CreateEntry(HeadsEntry, CompressionLevel.Fastest).Open();
        storedHeads.Write(headsEntry);
    }

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        Save(stream);
        return stream.ToArray();
    }

    public void Save(string path)
    {
        using var file = File.Create(path);
        Save(file);
    }

    public static TextClassifier Load(Stream stream)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException ex) { throw new InvalidDataException("This is not a Narratives classifier model file (not a zip archive).", ex); }
        using (zip)
        {
            var manifestEntry = zip.GetEntry(ManifestEntry) ?? throw new InvalidDataException($"This is not a Narratives classifier model file (no {ManifestEntry}).");
            var modelEntry = zip.GetEntry(ModelEntry) ?? throw new InvalidDataException($"This is not a Narratives classifier model file (no {ModelEntry}).");
            ModelManifest manifest;
            using (var s = manifestEntry.Open())
                manifest = JsonSerializer.Deserialize<ModelManifest>(s, Json) ?? throw new InvalidDataException("The model's manifest is empty.");
            using var buffer = new MemoryStream();
            using (var s = modelEntry.Open()) s.CopyTo(buffer);
            buffer.Position = 0;
            var ml = new MLContext(seed: 0);
            var model = ml.Model.Load(buffer, out _);
            NgramFeaturizer? ngrams = null;
            // Absent from a format 3 file whose features only ML.NET makes (hashed character n-grams).
            if (manifest.Format >= ModelManifest.OwnFeaturizerFormat && zip.GetEntry(FeaturizerEntry) is { } featurizerEntry)
            {
                using var s = featurizerEntry.Open();
                ngrams = NgramFeaturizer.Read(s);
            }
            if (!manifest.MultiLabel || manifest.Format < ModelManifest.StoredHeadsFormat) return new TextClassifier(ml, model, manifest, null, ngrams);
            var headsEntry = zip.GetEntry(HeadsEntry) ?? throw new InvalidDataException($"This format {manifest.Format} model file has no {HeadsEntry}.");
            LinearHeads heads;
            using (var s = headsEntry.Open()) heads = LinearHeads.Read(s, model);
            if (heads.LabelCount != manifest.Labels.Count)
                throw new InvalidDataException($"The model has {heads.LabelCount} heads for {manifest.Labels.Count} labels.");
            return new TextClassifier(ml, model, manifest, heads, ngrams);
        }
    }

    public static TextClassifier Load(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Load(stream);
    }

    public static TextClassifier Load(string path)
    {
        using var file = File.OpenRead(path);
        return Load(file);
    }

    internal sealed class TextRow
    {
        public string Text { get; set; } = "";
    }

    internal sealed class VectorRow
    {
        public VBuffer<float> Values;
    }

    /// <summary>The linear model's weights and the feature names, read once per model.</summary>
    sealed class Explainer(VBuffer<float>[] weights)
    {
        VBuffer<ReadOnlyMemory<char>> slotNames;
        bool slotNamesRead;
        readonly Lock gate = new();

        public static Explainer? TryCreate(ITransformer model)
        {
            var last = model is TransformerChain<ITransformer> chain ? chain.LastTransformer : model;
            if (last is not ISingleFeaturePredictionTransformer<object> { Model: LinearMulticlassModelParametersBase linear }) return null;
            VBuffer<float>[] weights = [];
            linear.GetWeights(ref weights, out _);
            return new Explainer(weights);
        }

        public IReadOnlyList<Contribution> Explain(VBuffer<float> features, int label, DataViewSchema.Column column, int top)
        {
            lock (gate)
            {
                if (!slotNamesRead)
                {
                    if (column.HasSlotNames()) column.GetSlotNames(ref slotNames);
                    slotNamesRead = true;
                }
            }
            var w = weights[label];
            var contributions = new Dictionary<string, float>();
            var values = features.GetValues();
            var indices = features.GetIndices();
            for (var i = 0; i < values.Length; i++)
            {
                var index = features.IsDense ? i : indices[i];
                var value = values[i];
                if (value == 0) continue;
                var weight = w.GetItemOrDefault(index) * value;
                if (weight <= 0) continue;
                var term = Term(index);
                if (term is null) continue;
                contributions[term] = contributions.GetValueOrDefault(term) + weight;
            }
            return contributions.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(top)
                .Select(c => new Contribution(c.Key, c.Value)).ToList();
        }

        /// <summary>
        /// Word n-grams ("Word.check|video") as the words they are; character n-grams are left out, since a fragment
        /// of a word explains nothing to a reader.
        /// </summary>
        string? Term(int index)
        {
            if (index >= slotNames.Length) return null;
            var name = slotNames.GetItemOrDefault(index).ToString();
            // Models with words alone name their slots by the words; with characters too, "Word." and "Char." tell them apart.
            if (name.StartsWith("Char.", StringComparison.Ordinal)) return null;
            const string word = "Word.";
            var text = (name.StartsWith(word, StringComparison.Ordinal) ? name[word.Length..] : name).Replace('|', ' ').Trim();
            if (text.Length == 0 || text.Split(' ').All(t => t is TextNormaliser.NumberToken or TextNormaliser.UrlToken or TextNormaliser.MentionToken || t.All(char.IsPunctuation)))
                return null;
            return text;
        }
    }
}
