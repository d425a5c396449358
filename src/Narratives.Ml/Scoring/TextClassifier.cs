using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Narratives.Ml.Text;
using Narratives.Ml.Training;

namespace Narratives.Ml.Scoring;

/// <summary>What a saved model is: its labels, how it decides, and how it was trained.</summary>
public sealed record ModelManifest(
    int Format,
    bool MultiLabel,
    IReadOnlyList<string> Labels,
    IReadOnlyList<float> Thresholds,
    TrainerKind Trainer,
    FeatureKind Features,
    int TrainingRows,
    string TrainingDataHash,
    DateTimeOffset TrainedAt);

/// <summary>
/// A trained text classifier. Scoring is thread-safe: every call builds its own data view and runs the shared,
/// immutable transformer over it in one batch (no PredictionEngine), so any number of threads may score at once.
/// </summary>
public sealed class TextClassifier
{
    internal const string ScoreColumn = "Score", FeaturesColumn = "Features", TextColumn = "Text";
    const string ManifestEntry = "manifest.json", ModelEntry = "model.mlnet";
    const int ParallelThreshold = 2_000;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    readonly MLContext ml;
    readonly ITransformer model;
    readonly Lazy<Explainer?> explainer;
    readonly Lazy<LinearHeads?> heads;

    internal TextClassifier(MLContext ml, ITransformer model, ModelManifest manifest)
    {
        this.ml = ml;
        this.model = model;
        Manifest = manifest;
        explainer = new Lazy<Explainer?>(() => Explainer.TryCreate(model), LazyThreadSafetyMode.ExecutionAndPublication);
        heads = new Lazy<LinearHeads?>(() => manifest.MultiLabel ? LinearHeads.TryCreate(model, manifest.Labels.Count) : null,
            LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public ModelManifest Manifest { get; }
    public IReadOnlyList<string> Labels => Manifest.Labels;
    public bool MultiLabel => Manifest.MultiLabel;

    public Prediction Predict(string text) => PredictBatch([text])[0];

    /// <summary>Whether a multi-label model scores through its read-out linear heads (the fast path).</summary>
    internal bool UsesLinearHeads => heads.Value is not null;

    /// <summary>Each label's probability from the full ML.NET chain, bypassing the fast path (to check it).</summary>
    internal float[][] ScoreWithChain(IReadOnlyList<string> texts) =>
        TextClassifierTrainer.Score(ml, model, texts.Select(TextNormaliser.Normalise).ToList());

    /// <summary>Scores many texts at once; large batches are split across the processor cores.</summary>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts, CancellationToken ct = default)
    {
        if (texts.Count == 0) return [];
        var results = new Prediction[texts.Count];
        var parts = texts.Count < ParallelThreshold ? 1 : Math.Max(1, Environment.ProcessorCount);
        var size = (texts.Count + parts - 1) / parts;
        Parallel.For(0, parts, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = parts }, part =>
        {
            var start = part * size;
            var end = Math.Min(texts.Count, start + size);
            if (start < end) ScoreRange(texts, start, end, results);
        });
        return results;
    }

    void ScoreRange(IReadOnlyList<string> texts, int start, int end, Prediction[] results)
    {
        var rows = new TextRow[end - start];
        for (var i = start; i < end; i++) rows[i - start] = new TextRow { Text = TextNormaliser.Normalise(texts[i]) };
        var fast = heads.Value;
        var scored = (fast?.Featurizer ?? model).Transform(new MLContext().Data.LoadFromEnumerable(rows));
        var column = scored.Schema[fast is null ? ScoreColumn : FeaturesColumn];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        VBuffer<float> buffer = default;
        var index = start;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            results[index++] = Decide(fast is null ? buffer.DenseValues().ToArray() : fast.Probabilities(buffer));
        }
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
        var scored = model.Transform(new MLContext().Data.LoadFromEnumerable(new[] { new TextRow { Text = TextNormaliser.Normalise(text) } }));
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
        using var modelEntry = zip.CreateEntry(ModelEntry, CompressionLevel.NoCompression).Open(); // ML.NET's file is a zip already
        buffer.Position = 0;
        buffer.CopyTo(modelEntry);
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
            return new TextClassifier(ml, model, manifest);
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
            const string word = "Word.";
            if (!name.StartsWith(word, StringComparison.Ordinal)) return null;
            var text = name[word.Length..].Replace('|', ' ').Trim();
            if (text.Length == 0 || text.Split(' ').All(t => t is TextNormaliser.NumberToken or TextNormaliser.UrlToken or TextNormaliser.MentionToken || t.All(char.IsPunctuation)))
                return null;
            return text;
        }
    }
}
