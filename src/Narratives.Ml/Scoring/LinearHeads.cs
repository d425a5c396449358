using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Narratives.Ml.Scoring;

/// <summary>
/// A trained model's linear weights read out once, so that scoring a text costs one ML.NET featurization and then one
/// sparse dot product per label, with the probabilities ML.NET's own predictors give: a softmax over the classes of a
/// maximum entropy (multinomial logistic) model, or each label's Platt-calibrated logistic regression of a
/// multi-label model. Models of any other kind are scored by their full ML.NET chain instead.
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
    {
        Featurizer = featurizer;
        labels = weights.Length;
        length = weights.Max(w => w.Length);
        this.weights = new float[length * labels];
        for (var k = 0; k < labels; k++)
            for (var i = 0; i < weights[k].Length; i++) this.weights[i * labels + k] = weights[k][i];
        this.biases = biases;
        this.slopes = slopes;
        this.offsets = offsets;
    }

    /// <summary>The featurizer at the head of the model's chain: text in, the "Features" vector out.</summary>
    public ITransformer Featurizer { get; }


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
