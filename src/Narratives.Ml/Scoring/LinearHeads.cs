using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Narratives.Ml.Scoring;

/// <summary>
/// A model's linear weights, so that scoring a text costs one featurization (ours, <see cref="NgramFeaturizer"/>, or
/// ML.NET's for older model files) and then one sparse dot product per label: a softmax over the classes of a maximum entropy (multinomial logistic) model, read out of its ML.NET chain
/// once, or each label's Platt-calibrated binary classifier of a multi-label model, which the trainer builds and the
/// model file stores beside the featurizer (older multi-label files hold them in the ML.NET chain, read out the same
/// way). Models of any other kind are scored by their full ML.NET chain instead.
/// </summary>
sealed class LinearHeads
{
    // Feature-major: the weights of every label for feature i sit together at i × labels, so that each present
    // feature costs one cache line rather than one per label.
    readonly float[] weights;
    readonly int labels, length;
    readonly float[] biases;
    readonly float[]? slopes, offsets; // Platt calibration of each binary head; null for a softmax

    LinearHeads(ITransformer featurizer, float[][] weights, float[] biases, float[]? slopes, float[]? offsets)
        : this(featurizer, FeatureMajor(weights), weights.Length, biases, slopes, offsets)
    {
    }

    LinearHeads(ITransformer featurizer, float[] featureMajor, int labels, float[] biases, float[]? slopes, float[]? offsets)
    {
        Featurizer = featurizer;
        this.labels = labels;
        length = featureMajor.Length / labels;
        weights = featureMajor;
        this.biases = biases;
        this.slopes = slopes;
        this.offsets = offsets;
    }

    static float[] FeatureMajor(float[][] weights)
    {
        var length = weights.Max(w => w.Length);
        var result = new float[length * weights.Length];
        for (var k = 0; k < weights.Length; k++)
            for (var i = 0; i < weights[k].Length; i++) result[i * weights.Length + k] = weights[k][i];
        return result;
    }

    /// <summary>The featurizer at the head of the model's chain: text in, the "Features" vector out.</summary>
    public ITransformer Featurizer { get; }

    public int LabelCount => labels;

    /// <summary>How many features the heads weigh.</summary>
    public int FeatureLength => length;

    /// <summary>Binary heads, each label with its weights (label-major), bias and Platt calibration.</summary>
    public static LinearHeads Calibrated(ITransformer featurizer, float[][] weights, float[] biases, float[] slopes, float[] offsets) =>
        new(featurizer, weights, biases, slopes, offsets);

    const int FileVersion = 1;

    /// <summary>Writes calibrated binary heads: label and feature counts, the feature-major weights, then each label's bias, slope and offset.</summary>
    public void Write(Stream stream)
    {
        if (slopes is null || offsets is null) throw new InvalidOperationException("Only calibrated binary heads are stored; a softmax is read from its ML.NET model.");
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(FileVersion);
        writer.Write(labels);
        writer.Write(length);
        writer.Write(MemoryMarshal.AsBytes(weights.AsSpan()));
        foreach (var part in new[] { biases, slopes, offsets }) writer.Write(MemoryMarshal.AsBytes(part.AsSpan()));
    }

    public static LinearHeads Read(Stream stream, ITransformer featurizer)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        var version = reader.ReadInt32();
        if (version != FileVersion) throw new InvalidDataException($"The model's heads are in format {version}; this program reads format {FileVersion}.");
        var labels = reader.ReadInt32();
        var length = reader.ReadInt32();
        if (labels <= 0 || length < 0) throw new InvalidDataException("The model's heads are damaged.");
        float[] Floats(long count)
        {
            var result = new float[count];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(result.AsSpan()));
            return result;
        }
        var weights = Floats((long)labels * length);
        return new LinearHeads(featurizer, weights, labels, Floats(labels), Floats(labels), Floats(labels));
    }


    public static LinearHeads? TryCreate(ITransformer model, int labels, bool multiLabel) =>
        model is TransformerChain<ITransformer> chain ? multiLabel ? Binary(chain.ToArray(), labels) : Softmax(chain.ToArray(), labels) : null;

    static LinearHeads? Softmax(ITransformer[] parts, int labels)
    {
        if (parts.Length != 2 || parts[1] is not ISingleFeaturePredictionTransformer<object> { Model: MaximumEntropyModelParameters maxEnt }) return null;
        VBuffer<float>[] w = [];
        maxEnt.GetWeights(ref w, out var classes);
        var biases = maxEnt.GetBiases().ToArray();
        if (classes != labels || biases.Length != labels) return null;
        return new LinearHeads(parts[0], w.Select(v => v.DenseValues().ToArray()).ToArray(), biases, null, null);
    }

    static LinearHeads? Binary(ITransformer[] parts, int labels)
    {
        var heads = parts.OfType<ISingleFeaturePredictionTransformer<object>>().ToList();
        if (parts.Length == 0 || heads.Count != labels) return null;
        var weights = new float[labels][];
        var biases = new float[labels];
        var slopes = new float[labels];
        var offsets = new float[labels];
        for (var k = 0; k < labels; k++)
        {
            if (heads[k].Model is not CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator> calibrated) return null;
            weights[k] = calibrated.SubModel.Weights.ToArray();
            biases[k] = calibrated.SubModel.Bias;
            slopes[k] = (float)calibrated.Calibrator.Slope;
            offsets[k] = (float)calibrated.Calibrator.Offset;
        }
        return new LinearHeads(parts[0], weights, biases, slopes, offsets);
    }

    /// <summary>
    /// Each label's probability: softmax(w·x + b) over the classes, or for each binary head Platt's
    /// 1 / (1 + exp(slope × (w·x + b) + offset)).
    /// </summary>
    public float[] Probabilities(in VBuffer<float> features)
    {
        var values = features.GetValues();
        var indices = features.GetIndices();
        var result = new float[labels];
        biases.CopyTo(result, 0);
        for (var i = 0; i < values.Length; i++)
        {
            var index = features.IsDense ? i : indices[i];
            if ((uint)index >= (uint)length) continue;
            var value = values[i];
            var row = weights.AsSpan(index * labels, labels);
            for (var k = 0; k < row.Length; k++) result[k] += row[k] * value;
        }
        if (slopes is not null)
        {
            for (var k = 0; k < result.Length; k++) result[k] = 1f / (1f + MathF.Exp(slopes[k] * result[k] + offsets![k]));
            return result;
        }
        // Softmax as ML.NET computes it: subtract the log of the sum of exponentials, computed from the largest score.
        var max = float.NegativeInfinity;
        foreach (var s in result) max = Math.Max(max, s);
        var sum = 0.0;
        foreach (var s in result) sum += Math.Exp(s - max);
        var log = max + (float)Math.Log(sum);
        for (var k = 0; k < result.Length; k++) result[k] = MathF.Exp(result[k] - log);
        return result;
    }
}
