using System.Diagnostics;
using System.Globalization;
using Narratives.Core.Reference;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Scoring;

namespace Narratives.Ml.Training;

public sealed record TrainerComparison(string Task, TrainerKind Trainer, FeatureKind Features, double MacroF1, double MicroF1,
    double WorstLanguageGap, double SecondsPerFold);

/// <summary>
/// Scoring speed by the clock and per second of processor time the process spent (all cores together): the second
/// says what the code costs even when other work on the machine slows the clock.
/// </summary>
public sealed record SpeedFigures(string Task, double TrainingSeconds, long ModelBytes, int ScoredItems, double ItemsPerSecond, double ItemsPerCpuSecond);

public sealed record BenchmarkResult(int Folds, IReadOnlyList<TrainerComparison> Comparison, QualityReport? Theme, QualityReport? Audience,
    IReadOnlyList<SpeedFigures> Speed, int ProcessorCount);

/// <summary>
/// The benchmark behind the README's figures: every trainer and feature setting by cross-validation on the shipped
/// corpus (the theme task; the audience task too when asked), the chosen setting's full report for both tasks, then
/// training time, model size and scoring speed.
/// </summary>
public static class Benchmark
{
    public static BenchmarkResult Run(Taxonomy taxonomy, int folds, bool compareAudience, bool speedOnly, TextWriter log, CancellationToken ct)
    {
        var comparison = new List<TrainerComparison>();
        QualityReport? theme = null, audience = null;
        foreach (var task in speedOnly ? [] : new[] { ClassifierTask.Theme, ClassifierTask.Audience })
        {
            var data = ProjectTrainingData.Corpus(task, taxonomy);
            foreach (var trainer in Enum.GetValues<TrainerKind>())
                foreach (var features in Enum.GetValues<FeatureKind>())
                {
                    var options = TrainingOptions.Default with { Trainer = trainer, Features = features };
                    // The audience task takes several times longer (one model per label, thresholds chosen on inner
                    // folds); its comparison runs when asked.
                    if (task.IsMultiLabel() && !compareAudience && options != TrainingOptions.Default) continue;
                    log.WriteLine($"{task.Id()}: cross-validating {options.Describe(task.IsMultiLabel())} ...");
                    var report = CrossValidation.Run(data, task.IsMultiLabel(), folds, options, ct: ct);
                    var score = task.IsMultiLabel() ? report.MicroF1 : report.MacroF1;
                    var gap = report.PerLanguage.Max(l => task.IsMultiLabel() ? l.MicroF1 : l.MacroF1) - report.PerLanguage.Min(l => task.IsMultiLabel() ? l.MicroF1 : l.MacroF1);
                    comparison.Add(new TrainerComparison(task.Id(), trainer, features, report.MacroF1, report.MicroF1, gap, report.TrainingSeconds));
                    if (options == TrainingOptions.Default)
                    {
                        if (task == ClassifierTask.Theme) theme = report; else audience = report;
                    }
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  macro-F1 {report.MacroF1:0.000}, micro-F1 {report.MicroF1:0.000}, language gap {gap:0.000}, {report.TrainingSeconds:0.0} s per fold"));
                }
        }

        var speed = new List<SpeedFigures>();
        foreach (var task in new[] { ClassifierTask.Theme, ClassifierTask.Audience })
        {
            var data = ProjectTrainingData.Corpus(task, taxonomy);
            log.WriteLine($"{task.Id()}: training on the whole corpus and timing scoring ...");
            var clock = Stopwatch.StartNew();
            var model = TextClassifierTrainer.Train(data, task.IsMultiLabel(), ct: ct);
            var trainSeconds = clock.Elapsed.TotalSeconds;
            var bytes = model.ToBytes().LongLength;
            var texts = Enumerable.Range(0, 20_000).Select(i => data[i % data.Count].Text).ToList();
            model = TextClassifier.Load(model.ToBytes()); // as the registry serves it
            model.PredictBatch(texts.Take(2_000).ToList(), ct); // warm up
            var best = double.MaxValue;
            var bestCpu = double.MaxValue;
            using var process = Process.GetCurrentProcess();
            for (var run = 0; run < 3; run++) // the best of three: the machine may be busy with other work
            {
                process.Refresh();
                var cpu = process.TotalProcessorTime;
                clock.Restart();
                model.PredictBatch(texts, ct);
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
                process.Refresh();
                bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalSeconds);
            }
            speed.Add(new SpeedFigures(task.Id(), trainSeconds, bytes, texts.Count, texts.Count / best, texts.Count / bestCpu));
        }
        return new BenchmarkResult(folds, comparison, theme, audience, speed, Environment.ProcessorCount);
    }

    public static void Print(TextWriter o, BenchmarkResult r)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"{r.Folds}-fold cross-validation on the shipped corpus ({r.ProcessorCount} cores)");
        o.WriteLine();
        o.WriteLine("| Task | Trainer | Features | Macro-F1 | Micro-F1 | Language gap | s per fold |");
        o.WriteLine("| --- | --- | --- | ---: | ---: | ---: | ---: |");
        foreach (var x in r.Comparison)
            o.WriteLine(string.Create(c, $"| {x.Task} | {x.Trainer} | {x.Features} | {x.MacroF1:0.000} | {x.MicroF1:0.000} | {x.WorstLanguageGap:0.000} | {x.SecondsPerFold:0.0} |"));
        foreach (var (name, report) in new[] { ("Theme", r.Theme), ("Audience", r.Audience) })
        {
            if (report is null) continue;
            o.WriteLine();
            o.WriteLine(string.Create(c, $"{name} ({report.Trainer}): macro-F1 {report.MacroF1:0.000}, micro-F1 {report.MicroF1:0.000}, accuracy {report.Accuracy:0.000}"));
            foreach (var l in report.PerLanguage)
                o.WriteLine(string.Create(c, $"  {l.Language}: macro-F1 {l.MacroF1:0.000}, micro-F1 {l.MicroF1:0.000}, accuracy {l.Accuracy:0.000}"));
            foreach (var m in report.PerClass)
                o.WriteLine(string.Create(c, $"  {m.Label}: P {m.Precision:0.000} R {m.Recall:0.000} F1 {m.F1:0.000} ({m.Support})"));
        }
        o.WriteLine();
        foreach (var s in r.Speed)
            o.WriteLine(string.Create(c, $"{s.Task}: training {s.TrainingSeconds:0.0} s, model {s.ModelBytes / 1024.0 / 1024.0:0.00} MB, scoring {s.ItemsPerSecond:0} items/s, {s.ItemsPerCpuSecond:0} items per CPU-second ({s.ScoredItems} items)"));
    }
}
