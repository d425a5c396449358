using Microsoft.ML.Data;
using Narratives.Core.Reference;
using Narratives.Ml.Scoring;
using Narratives.Ml.Training;

namespace Narratives.Ml.Tests.Scoring;

/// <summary>Our own featurizer makes ML.NET's features exactly, and the fast path scores as the ML.NET path does.</summary>
public sealed class NgramFeaturizerTests
{
    /// <summary>Texts the model saw, texts it did not, and the edge cases of tokenizing and counting.</summary>
    static readonly string[] Sample =
    [
        .. TinyData.Themes.Select(t => t.Text),
        .. TinyData.NewTexts,
        "",
        " ",
        "a",
        "ab",
        "the",
        "the the the attack attack the attack",
        "check check the source the source the source",
        "Zzyzx quorble the attack flimflam victims", // unknown words between known ones break their bigrams
        "attack unknownword attack",
        "Les victimes, les victimes et encore les victimes!",
        "ضحايا ضحايا التفجير التفجير",
        "Survivors 🙏🏽 of the bombing 💔 #NeverForget @someone https://example.org/x 2024",
        "\u0002 \u0003 | || a|b *",
        "  double  spaces   between words  ",
        "Ein ganz anderer Text auf Deutsch über Dialog und Toleranz",
        "这是一个中文句子，关于对话",
        "Привет, это текст на русском",
    ];

    [Fact]
    public void Our_features_equal_ML_NETs_for_every_text_of_a_multiclass_model()
    {
        var model = TinyData.ThemeModel;

        Assert.True(model.UsesOwnFeaturizer);
        foreach (var text in Sample) AssertSameFeatures(model, text);
    }

    [Fact]
    public void Our_features_equal_ML_NETs_for_every_text_of_a_multi_label_model_after_saving_and_loading()
    {
        var model = TextClassifier.Load(TinyData.AudienceModel.ToBytes());

        Assert.True(model.UsesOwnFeaturizer);
        foreach (var text in Sample) AssertSameFeatures(model, text);
    }

    [Fact]
    public void Our_features_equal_ML_NETs_for_a_model_of_words_alone()
    {
        var model = TextClassifierTrainer.Train(TinyData.Themes, multiLabel: false, TrainingOptions.Default with { Features = FeatureKind.Words });

        Assert.True(model.UsesOwnFeaturizer);
        foreach (var text in Sample) AssertSameFeatures(model, text);
    }

    [Fact]
    public void Our_features_equal_ML_NETs_for_the_shipped_corpus_model_on_its_own_texts_and_new_ones()
    {
        var corpus = ProjectTrainingData.Corpus(ClassifierTask.Theme, Taxonomy.Load());
        var model = TextClassifierTrainer.Train(corpus, multiLabel: false);

        Assert.True(model.UsesOwnFeaturizer);
        // Every 7th training text in each language, then texts the corpus never had.
        foreach (var text in corpus.Where((_, i) => i % 7 == 0).Select(r => r.Text).Concat(Sample)) AssertSameFeatures(model, text);
    }

    [Fact]
    public void A_model_with_hashed_character_n_grams_is_featurized_by_ML_NET()
    {
        var model = TextClassifierTrainer.Train(TinyData.Themes, multiLabel: false, TrainingOptions.Default with { Features = FeatureKind.WordsAndHashedCharacters });
        var loaded = TextClassifier.Load(model.ToBytes());

        Assert.True(loaded.UsesLinearHeads);
        Assert.False(loaded.UsesOwnFeaturizer);
        Assert.Equal(1, loaded.Manifest.Format);
        Assert.Equal(model.PredictBatch(TinyData.NewTexts).Select(p => p.Top), loaded.PredictBatch(TinyData.NewTexts).Select(p => p.Top));
    }

    [Fact]
    public void The_fast_path_predicts_what_the_ML_NET_chain_predicts_for_a_multiclass_model_also_after_saving_and_loading()
    {
        var loaded = TextClassifier.Load(TinyData.ThemeModel.ToBytes());
        Assert.Equal(ModelManifest.OwnFeaturizerFormat, loaded.Manifest.Format);

        foreach (var model in new[] { TinyData.ThemeModel, loaded })
        {
            Assert.True(model.UsesOwnFeaturizer);
            var chain = model.ScoreWithChain(Sample);
            var fast = model.PredictBatch(Sample);
            for (var i = 0; i < Sample.Length; i++)
            {
                var best = Array.IndexOf(chain[i], chain[i].Max());
                Assert.Equal(model.Labels[best], fast[i].Top);
                for (var k = 0; k < model.Labels.Count; k++)
                    Assert.Equal(chain[i][k], fast[i].All.Single(s => s.Label == model.Labels[k]).Confidence, 4);
            }
        }
    }

    [Fact]
    public void The_fast_path_predicts_what_ML_NETs_featurizer_and_the_heads_predict_for_a_multi_label_model_also_after_saving_and_loading()
    {
        foreach (var model in new[] { TinyData.AudienceModel, TextClassifier.Load(TinyData.AudienceModel.ToBytes()) })
        {
            Assert.True(model.UsesOwnFeaturizer);
            var fast = model.PredictBatch(Sample);
            var viaMlNet = model.PredictBatchWithMlNetFeatures(Sample);
            for (var i = 0; i < Sample.Length; i++)
            {
                Assert.Equal(viaMlNet[i].Chosen.Select(c => c.Label), fast[i].Chosen.Select(c => c.Label));
                for (var k = 0; k < model.Labels.Count; k++)
                    Assert.Equal(viaMlNet[i].All.Single(s => s.Label == model.Labels[k]).Confidence, fast[i].All.Single(s => s.Label == model.Labels[k]).Confidence, 4);
            }
        }
    }

    [Fact]
    public void A_multiclass_model_file_from_before_our_featurizer_still_scores_through_ML_NET()
    {
        var current = TinyData.ThemeModel;
        var old = new TextClassifier(current.MlContext, current.Model, current.Manifest with { Format = 1 });
        var loaded = TextClassifier.Load(old.ToBytes());

        Assert.Equal(1, loaded.Manifest.Format);
        Assert.True(loaded.UsesLinearHeads);
        Assert.False(loaded.UsesOwnFeaturizer);
        var before = current.PredictBatch(Sample);
        var after = loaded.PredictBatch(Sample);
        for (var i = 0; i < Sample.Length; i++)
        {
            Assert.Equal(before[i].Top, after[i].Top);
            Assert.Equal(before[i].TopConfidence, after[i].TopConfidence, 4);
        }
    }

    [Fact]
    public void A_multi_label_model_file_with_stored_heads_but_not_our_featurizer_still_scores_through_ML_NET()
    {
        var current = TinyData.AudienceModel;
        var old = new TextClassifier(current.MlContext, current.Model, current.Manifest with { Format = ModelManifest.StoredHeadsFormat }, current.StoredHeads);
        var loaded = TextClassifier.Load(old.ToBytes());

        Assert.Equal(ModelManifest.StoredHeadsFormat, loaded.Manifest.Format);
        Assert.False(loaded.UsesOwnFeaturizer);
        var before = current.PredictBatch(Sample);
        var after = loaded.PredictBatch(Sample);
        for (var i = 0; i < Sample.Length; i++)
        {
            Assert.Equal(before[i].Chosen.Select(c => c.Label), after[i].Chosen.Select(c => c.Label));
            Assert.Equal(before[i].All.Select(s => s.Confidence), after[i].All.Select(s => s.Confidence), (a, b) => Math.Abs(a - b) < 1e-4);
        }
    }

    [Fact]
    public void Explanations_are_the_same_with_our_featurizer_as_before()
    {
        var current = TinyData.ThemeModel;
        var old = new TextClassifier(current.MlContext, current.Model, current.Manifest with { Format = 1 });

        foreach (var text in TinyData.NewTexts)
            foreach (var label in current.Labels)
                Assert.Equal(old.Explain(text, label), current.Explain(text, label));
    }

    static void AssertSameFeatures(TextClassifier model, string text)
    {
        var expected = model.FeaturesFromMlNet(text);
        var actual = model.FeaturesFromOwnFeaturizer(text) ?? throw new InvalidOperationException("The model has no featurizer of its own.");
        Assert.Equal(expected.Length, actual.Length);
        var want = NonZero(expected);
        var got = NonZero(actual);
        Assert.True(want.Keys.Order().SequenceEqual(got.Keys.Order()),
            $"Slots differ for \"{text}\": ML.NET {string.Join(',', want.Keys.Order())}, ours {string.Join(',', got.Keys.Order())}");
        foreach (var (index, value) in want)
            Assert.True(Math.Abs(value - got[index]) <= 1e-5 * Math.Max(1, Math.Abs(value)), $"Slot {index} of \"{text}\": ML.NET {value}, ours {got[index]}");
        // A valid sparse vector: indices strictly increasing.
        var indices = actual.GetIndices();
        for (var i = 1; i < indices.Length; i++) Assert.True(indices[i - 1] < indices[i]);
    }

    static Dictionary<int, float> NonZero(VBuffer<float> v)
    {
        var result = new Dictionary<int, float>();
        foreach (var (index, value) in v.Items())
            if (value != 0) result[index] = value;
        return result;
    }
}
