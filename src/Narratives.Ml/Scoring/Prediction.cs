namespace Narratives.Ml.Scoring;

/// <summary>One label's score. Confidence is in [0, 1]; for a multi-label task 0.5 is the label's decision threshold.</summary>
public sealed record LabelScore(string Label, float Confidence);

/// <summary>
/// What the classifier says about one text: the chosen labels (exactly one for a single-label task), their
/// confidences, and every label's score.
/// </summary>
public sealed record Prediction(IReadOnlyList<LabelScore> Chosen, IReadOnlyList<LabelScore> All)
{
    public string Top => Chosen[0].Label;
    public float TopConfidence => Chosen[0].Confidence;
}

/// <summary>A word or n-gram and how far it pushed the text toward the chosen label.</summary>
public sealed record Contribution(string Term, float Weight);
