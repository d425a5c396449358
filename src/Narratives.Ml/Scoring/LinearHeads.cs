using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Narratives.Ml.Scoring;

/// <summary>
/// The multi-label model's per-label logistic regressions read out once, so that a batch is featurized once and each
/// label costs one sparse dot product, instead of running one ML.NET prediction transformer per label.
/// </summary>
sealed class LinearHeads(ITransformer featurizer, float[][] weights, float[] biases, float[] slopes, float[] offsets)
{
    public ITransformer Featurizer => featurizer;

    public static LinearHeads? TryCreate(ITransformer model, int labels)
    {
        if (model is not TransformerChain<ITransformer> chain) return null;
        var parts = chain.ToArray();
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

    /// <summary>Each label's probability, as ML.NET's Platt calibrator gives it: 1 / (1 + exp(slope × score + offset)).</summary>
    public float[] Probabilities(in VBuffer<float> features)
    {
        var values = features.GetValues();
        var indices = features.GetIndices();
        var result = new float[weights.Length];
        for (var k = 0; k < weights.Length; k++)
        {
            var w = weights[k];
            var score = biases[k];
            if (features.IsDense)
                for (var i = 0; i < values.Length && i < w.Length; i++) score += w[i] * values[i];
            else
                for (var i = 0; i < values.Length; i++)
                    if (indices[i] < w.Length) score += w[indices[i]] * values[i];
            result[k] = 1f / (1f + MathF.Exp(slopes[k] * score + offsets[k]));
        }
        return result;
    }
}
