using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using Narratives.Ml.Scoring;
using Narratives.Ml.Text;
using Narratives.Ml.Training;

namespace Narratives.Ml.Tests.Training;

public sealed class TextClassifierTrainerTests
{
    [Fact]
    public void Training_twice_on_the_same_data_gives_the_same_predictions()
    {
        var again = TextClassifierTrainer.Train(TinyData.Themes, multiLabel: false);

        var first = TinyData.ThemeModel.PredictBatch(TinyData.NewTexts);
        var second = again.PredictBatch(TinyData.NewTexts);

        Assert.Equal(first.Select(p => p.Top), second.Select(p => p.Top));
        Assert.Equal(first.Select(p => p.TopConfidence), second.Select(p => p.TopConfidence));
    }

    [Fact]
    public void A_tiny_model_recognises_new_texts_in_each_language()
    {
        var predictions = TinyData.ThemeModel.PredictBatch(TinyData.NewTexts);

        Assert.Equal(["literacy", "victims", "dialogue", "literacy", "victims", "dialogue"], predictions.Select(p => p.Top));
        Assert.All(predictions, p => Assert.InRange(p.TopConfidence, 0f, 1f));
        Assert.All(predictions, p => Assert.Equal(3, p.All.Count));
    }

    [Fact]
    public void Saving_and_loading_a_model_keeps_its_predictions_and_manifest()
    {
        var bytes = TinyData.AudienceModel.ToBytes();
        var loaded = TextClassifier.Load(bytes);

        Assert.Equal(TinyData.AudienceModel.Manifest.Labels, loaded.Manifest.Labels);
        Assert.Equal(TinyData.AudienceModel.Manifest.Thresholds, loaded.Manifest.Thresholds);
        Assert.True(loaded.MultiLabel);
        Assert.Equal(ModelManifest.OwnFeaturizerFormat, loaded.Manifest.Format);
        Assert.True(loaded.Manifest.NaiveBayesScaled);
        Assert.True(loaded.UsesLinearHeads);
        var before = TinyData.AudienceModel.PredictBatch(TinyData.NewTexts);
        var after = loaded.PredictBatch(TinyData.NewTexts);
        Assert.Equal(before.Select(p => string.Join(';', p.Chosen.Select(c => c.Label))), after.Select(p => string.Join(';', p.Chosen.Select(c => c.Label))));
        Assert.Equal(before.SelectMany(p => p.All.Select(s => s.Confidence)), after.SelectMany(p => p.All.Select(s => s.Confidence)));
    }

    [Fact]
    public void A_multi_label_model_gives_one_threshold_per_label_and_at_least_one_label_per_text()
    {
        var model = TinyData.AudienceModel;

        Assert.Equal(["educators", "families", "general", "religious", "youth"], model.Labels);
        Assert.Equal(model.Labels.Count, model.Manifest.Thresholds.Count);
        var predictions = model.PredictBatch(TinyData.NewTexts);
        Assert.All(predictions, p => Assert.NotEmpty(p.Chosen));
        Assert.Contains("families", predictions[1].Chosen.Select(c => c.Label));
        Assert.Contains("religious", predictions[5].Chosen.Select(c => c.Label));
    }

    [Fact]
    public void Predictions_from_many_threads_agree_with_single_threaded_ones()
    {
        var model = TinyData.ThemeModel;
        var texts = Enumerable.Range(0, 3_000).Select(i => TinyData.NewTexts[i % TinyData.NewTexts.Length] + " " + i).ToList();
        var expected = texts.Select(t => model.Predict(t)).ToList();

        var results = new Prediction[texts.Count];
        Parallel.For(0, texts.Count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, i => results[i] = model.Predict(texts[i]));
        var batched = model.PredictBatch(texts); // split across cores inside

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(expected[i].Top, results[i].Top);
            Assert.Equal(expected[i].TopConfidence, results[i].TopConfidence);
            Assert.Equal(expected[i].TopConfidence, batched[i].TopConfidence);
        }
    }

    [Fact]
    public void The_explanation_names_the_words_that_pushed_toward_the_theme()
    {
        var why = TinyData.ThemeModel.Explain("Check the source of this video before you share it", "literacy");

        Assert.NotEmpty(why);
        Assert.Contains(why, c => c.Term.Contains("source") || c.Term.Contains("check") || c.Term.Contains("share"));
        Assert.All(why, c => Assert.True(c.Weight > 0));
        Assert.Equal(why.OrderByDescending(c => c.Weight).Select(c => c.Term), why.Select(c => c.Term));
    }

    [Fact]
    public void Thresholds_refined_jointly_stop_a_second_label_that_each_label_alone_would_allow()
    {
        float[][] probabilities = [[0.9f, 0.4f], [0.8f, 0.45f], [0.3f, 0.6f], [0.2f, 0.7f]];
        bool[][] truth = [[true, false], [true, false], [false, true], [false, true]];
        var thresholds = new[] { 0.3f, 0.3f }; // the second label at 0.3 is also given to the first two texts

        var before = TextClassifierTrainer.MicroF1(thresholds, probabilities, truth);
        TextClassifierTrainer.RefineForMicroF1(thresholds, probabilities, truth);

        Assert.True(before < 1);
        Assert.Equal(1.0, TextClassifierTrainer.MicroF1(thresholds, probabilities, truth));
        Assert.InRange(thresholds[1], 0.46f, 0.6f);
    }

    [Fact]
    public void A_feature_seen_mostly_with_a_label_gets_a_positive_log_count_ratio_and_one_seen_mostly_without_it_a_negative_one()
    {
        // Three slots: slot 0 in both rows with the label, slot 1 in the two rows without it, slot 2 in one of each.
        VBuffer<float>[] features =
        [
            new(3, 2, [0.5f, 0.2f], [0, 2]),
            new(3, 1, [0.7f], [0]),
            new(3, 1, [0.3f], [1]),
            new(3, 2, [0.1f, 0.9f], [1, 2]),
        ];
        bool[] truth = [true, true, false, false];

        var ratios = TextClassifierTrainer.LogCountRatios(features, truth, 3);

        // With one added to every count: with the label (3, 1, 2) of 6, without it (1, 3, 2) of 6.
        Assert.Equal(Math.Log(3.0), ratios[0], 5);
        Assert.Equal(-Math.Log(3.0), ratios[1], 5);
        Assert.Equal(0, ratios[2], 5);
    }

    [Fact]
    public void A_label_head_scores_the_plain_features_as_its_classifier_scores_the_scaled_ones()
    {
        var ml = new MLContext(seed: 1);
        var texts = ml.Data.LoadFromEnumerable(TinyData.Audiences.Select(d => new TextClassifier.TextRow { Text = TextNormaliser.NormaliseForModel(d.Text) }).ToList());
        var featurizer = TextClassifierTrainer.Featurizer(ml, TrainingOptions.Default).Fit(texts);
        var features = TextClassifierTrainer.Features(featurizer.Transform(texts));
        var length = features[0].Length;
        var truth = TinyData.Audiences.Select(d => d.Labels.Contains("families")).ToArray();

        var (trained, ratios, head) = TextClassifierTrainer.FitHead(ml, features, truth, length, TrainingOptions.Default);

        Assert.NotNull(ratios);
        var scaled = trained.Transform(TextClassifierTrainer.LabelRows(ml, features, truth, ratios, length)).GetColumn<float>("Probability").ToArray();
        var heads = LinearHeads.Calibrated(featurizer, [head.Weights], [head.Bias], [head.Slope], [head.Offset]);
        for (var i = 0; i < features.Length; i++)
            Assert.Equal(scaled[i], heads.Probabilities(features[i])[0], 4);
        Assert.True(scaled.Where((_, i) => truth[i]).Min() > scaled.Where((_, i) => !truth[i]).Max()); // it learnt the label
    }

    [Fact]
    public void A_label_with_a_single_example_is_refused_by_name()
    {
        var data = TinyData.Themes.Append(new LabelledText("A lonely example", ["formers"])).ToList();

        var error = Assert.Throws<TrainingDataException>(() => TextClassifierTrainer.Train(data, multiLabel: false));
        Assert.Contains("'formers'", error.Message);
        Assert.Contains("single example", error.Message);
    }

    [Fact]
    public void Cross_validation_predicts_every_row_once_and_reports_per_language()
    {
        var report = CrossValidation.Run(TinyData.Themes, multiLabel: false, folds: 3);

        Assert.Equal(TinyData.Themes.Count, report.Rows);
        Assert.Equal(TinyData.Themes.Count, report.ConfusionMatrix!.Sum(r => r.Sum()));
        Assert.Equal(["ar", "en", "fr"], report.PerLanguage.Select(l => l.Language));
        Assert.InRange(report.MacroF1, 0.5, 1.0);
    }
}

public sealed class LinearHeadsTests
{
    [Fact]
    public void A_multi_label_model_from_before_stored_heads_is_still_scored_through_the_weights_read_out_of_its_chain()
    {
        // Format 1: one ML.NET chain, the featurizer then each label's calibrated logistic regression and its probability.
        var ml = new MLContext(seed: 1);
        var labels = TinyData.AudienceModel.Labels;
        var rows = TinyData.Audiences.Select(d => new LegacyRow { Text = TextNormaliser.NormaliseForModel(d.Text) }).ToList();
        var texts = ml.Data.LoadFromEnumerable(rows);
        var featurizer = TextClassifierTrainer.Featurizer(ml, TrainingOptions.Default).Fit(texts);
        var parts = new List<ITransformer> { featurizer };
        for (var k = 0; k < labels.Count; k++)
        {
            var labelled = featurizer.Transform(ml.Data.LoadFromEnumerable(rows.Select((r, i) => new LegacyRow { Text = r.Text, Label = TinyData.Audiences[i].Labels.Contains(labels[k]) }).ToList()));
            var binary = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(featureColumnName: "Features").Fit(labelled);
            parts.Add(binary);
            parts.Add(ml.Transforms.CopyColumns($"P{k}", "Probability").Fit(binary.Transform(labelled)));
        }
        parts.Add(ml.Transforms.Concatenate("Score", labels.Select((_, k) => $"P{k}").ToArray()).Fit(new TransformerChain<ITransformer>(parts.ToArray()).Transform(texts)));
        var manifest = TinyData.AudienceModel.Manifest with { Format = 1, NaiveBayesScaled = false };
        var legacy = new TextClassifier(ml, new TransformerChain<ITransformer>(parts.ToArray()), manifest);
        var loaded = TextClassifier.Load(legacy.ToBytes());

        Assert.True(loaded.UsesLinearHeads);
        var chain = loaded.ScoreWithChain(TinyData.NewTexts);
        var fast = loaded.PredictBatch(TinyData.NewTexts);
        for (var i = 0; i < TinyData.NewTexts.Length; i++)
            for (var k = 0; k < loaded.Labels.Count; k++)
            {
                var expected = TextClassifier.ThresholdScale(chain[i][k], loaded.Manifest.Thresholds[k]);
                var actual = fast[i].All.Single(s => s.Label == loaded.Labels[k]).Confidence;
                Assert.Equal(expected, actual, 4);
            }
    }

    [Theory]
    [InlineData(TrainerKind.LbfgsMaximumEntropy)]
    [InlineData(TrainerKind.SdcaMaximumEntropy)]
    [InlineData(TrainerKind.AveragedPerceptron)]
    public void Every_trainers_multi_label_model_scores_through_heads_stored_in_its_file(TrainerKind trainer)
    {
        var model = TextClassifierTrainer.Train(TinyData.Audiences, multiLabel: true, TrainingOptions.Default with { Trainer = trainer });
        var loaded = TextClassifier.Load(model.ToBytes());

        Assert.True(loaded.UsesLinearHeads);
        Assert.Equal(model.PredictBatch(TinyData.NewTexts).SelectMany(p => p.All.Select(s => (s.Label, s.Confidence))),
            loaded.PredictBatch(TinyData.NewTexts).SelectMany(p => p.All.Select(s => (s.Label, s.Confidence))));
        Assert.All(loaded.PredictBatch(TinyData.NewTexts), p => Assert.All(p.All, s => Assert.InRange(s.Confidence, 0f, 1f)));
    }

    [Fact]
    public void A_multi_label_model_file_without_its_heads_is_refused_saying_so()
    {
        using var damaged = new MemoryStream();
        using (var original = new ZipArchive(new MemoryStream(TinyData.AudienceModel.ToBytes())))
        using (var copy = new ZipArchive(damaged, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var entry in original.Entries.Where(e => e.Name != "heads.bin"))
            {
                using var from = entry.Open();
                using var to = copy.CreateEntry(entry.FullName).Open();
                from.CopyTo(to);
            }

        var error = Assert.Throws<InvalidDataException>(() => TextClassifier.Load(damaged.ToArray()));
        Assert.Contains("heads.bin", error.Message);
    }

    sealed class LegacyRow
    {
        public string Text { get; set; } = "";
        public bool Label { get; set; }
    }

    [Fact]
    public void The_fast_theme_path_gives_the_probabilities_of_the_full_chain_also_after_loading()
    {
        var loaded = Narratives.Ml.Scoring.TextClassifier.Load(TinyData.ThemeModel.ToBytes());

        Assert.True(loaded.UsesLinearHeads);
        var chain = loaded.ScoreWithChain(TinyData.NewTexts);
        var fast = loaded.PredictBatch(TinyData.NewTexts);
        for (var i = 0; i < TinyData.NewTexts.Length; i++)
            for (var k = 0; k < loaded.Labels.Count; k++)
                Assert.Equal(chain[i][k], fast[i].All.Single(s => s.Label == loaded.Labels[k]).Confidence, 5);
    }

    [Fact]
    public void A_model_without_linear_heads_is_scored_by_its_full_chain()
    {
        var model = TextClassifierTrainer.Train(TinyData.Themes, multiLabel: false, TrainingOptions.Default with { Trainer = TrainerKind.AveragedPerceptron });

        Assert.False(model.UsesLinearHeads);
        var chain = model.ScoreWithChain(TinyData.NewTexts);
        var batched = model.PredictBatch(TinyData.NewTexts);
        for (var i = 0; i < TinyData.NewTexts.Length; i++)
            for (var k = 0; k < model.Labels.Count; k++)
                Assert.Equal(chain[i][k], batched[i].All.Single(s => s.Label == model.Labels[k]).Confidence);
    }

    [Fact]
    public void Large_batches_shared_across_threads_give_what_one_text_at_a_time_gives()
    {
        var model = TinyData.AudienceModel;
        var texts = Enumerable.Range(0, 1_000).Select(i => TinyData.NewTexts[i % TinyData.NewTexts.Length] + " " + (i % 7 == 0 ? "#Together" : "")).ToList();

        var batched = model.PredictBatch(texts);

        for (var i = 0; i < texts.Count; i += 37)
        {
            var one = model.Predict(texts[i]);
            Assert.Equal(one.All.Select(s => (s.Label, s.Confidence)), batched[i].All.Select(s => (s.Label, s.Confidence)));
        }
    }
}
