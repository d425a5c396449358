using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Core;
using Narratives.Core.Database;
using Narratives.Core.LocalDatabase;
using Narratives.Core.Reference;
using Narratives.Ml.Classification;
using Narratives.Ml.Registry;
using Npgsql;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Scoring;
using Narratives.Ml.Training;

namespace Narratives.Ml.Cli;

/// <summary>
/// `dotnet run --project src/Narratives.Ml -- COMMAND`: train, evaluate, cross-validate and predict on any labelled
/// CSV, or on the project's own task. Exit codes: 0 done, 1 failure, 2 bad input (with a message naming the problem).
/// </summary>
public static class ClassifierCommandLine
{
    public const int Ok = 0, Failure = 1, BadInput = 2;

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, string? modelDirectory = null,
        IConfiguration? configuration = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        modelDirectory ??= DefaultModelDirectory();

        Option<string> Data() => new("--data") { Description = "The CSV file (UTF-8, with a header row).", Required = true };
        Option<string> TextColumn(bool required = true) => new("--text-column") { Description = "The column holding the text.", Required = required, DefaultValueFactory = _ => "text" };
        Option<string> LabelColumn() => new("--label-column") { Description = "The column holding the label(s).", Required = true };
        var multiLabel = new Option<bool>("--multi-label") { Description = "Each row may have several labels, separated by --separator." };
        var separator = new Option<string>("--separator") { Description = "What separates labels with --multi-label (default ';').", DefaultValueFactory = _ => ";" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var trainer = new Option<TrainerKind>("--trainer") { Description = "The learning algorithm.", DefaultValueFactory = _ => TrainingOptions.Default.Trainer };
        var features = new Option<FeatureKind>("--features") { Description = "Words, WordsAndCharacters or WordsAndHashedCharacters.", DefaultValueFactory = _ => TrainingOptions.Default.Features };
        var model = new Option<string?>("--model") { Description = "A model file written by train." };
        var task = new Option<string?>("--task") { Description = "The project's own model: theme or audience." };

        var trainData = Data(); var trainText = TextColumn(); var trainLabel = LabelColumn();
        var output = new Option<string>("--out") { Description = "Where to write the model (.zip).", Required = true };
        var train = new Command("train", "Train a classifier on a labelled CSV and save it.") { trainData, trainText, trainLabel, multiLabel, separator, output, trainer, features, json };
        train.SetAction((parse, ct) =>
        {
            var rows = LabelledCsv.Read(parse.GetValue(trainData)!, parse.GetValue(trainText)!, parse.GetValue(trainLabel)!,
                parse.GetValue(multiLabel), Separator(parse.GetValue(separator)));
            var clock = Stopwatch.StartNew();
            var classifier = TextClassifierTrainer.Train(rows, parse.GetValue(multiLabel), Options(parse.GetValue(trainer), parse.GetValue(features)), ct);
            var seconds = clock.Elapsed.TotalSeconds;
            var path = parse.GetValue(output)!;
            classifier.Save(path);
            var size = new FileInfo(path).Length;
            if (parse.GetValue(json))
                stdout.WriteLine(JsonSerializer.Serialize(new { model = path, rows = rows.Count, labels = classifier.Labels, thresholds = classifier.Manifest.Thresholds, trainer = classifier.Manifest.Trainer, features = classifier.Manifest.Features, seconds, bytes = size }, Json));
            else
                stdout.WriteLine($"Trained on {rows.Count} rows, {classifier.Labels.Count} labels ({string.Join(", ", classifier.Labels)}) in {seconds:0.0} s; saved {path} ({size / 1024.0 / 1024.0:0.0} MB).");
            return Task.FromResult(Ok);
        });

        var evalData = Data(); var evalText = TextColumn(); var evalLabel = LabelColumn();
        var evaluate = new Command("evaluate", "Score a labelled CSV with a model and report accuracy, F1 and the confusion matrix.") { evalData, evalText, evalLabel, multiLabel, separator, model, task, json };
        evaluate.SetAction((parse, ct) =>
        {
            var classifier = ResolveModel(parse.GetValue(model), parse.GetValue(task), modelDirectory, stderr);
            var rows = LabelledCsv.Read(parse.GetValue(evalData)!, parse.GetValue(evalText)!, parse.GetValue(evalLabel)!,
                classifier.MultiLabel || parse.GetValue(multiLabel), Separator(parse.GetValue(separator)), "language");
            var predictions = classifier.PredictBatch(rows.Select(r => r.Text).ToList(), ct);
            var report = Metrics.Compute(rows.Select(r => r.Labels).ToList(), predictions.Select(p => (IReadOnlyList<string>)p.Chosen.Select(c => c.Label).ToList()).ToList(),
                classifier.Labels, classifier.MultiLabel, rows.Select(r => r.Language).ToList());
            Print(stdout, report, parse.GetValue(json));
            return Task.FromResult(Ok);
        });

        var cvData = Data(); var cvText = TextColumn(); var cvLabel = LabelColumn();
        var folds = new Option<int>("--folds") { Description = "Number of folds (default 5).", DefaultValueFactory = _ => 5 };
        var crossValidate = new Command("cross-validate", "k-fold cross-validation on a labelled CSV.") { cvData, cvText, cvLabel, multiLabel, separator, folds, trainer, features, json };
        crossValidate.SetAction((parse, ct) =>
        {
            var rows = LabelledCsv.Read(parse.GetValue(cvData)!, parse.GetValue(cvText)!, parse.GetValue(cvLabel)!,
                parse.GetValue(multiLabel), Separator(parse.GetValue(separator)), "language");
            var report = CrossValidation.Run(rows, parse.GetValue(multiLabel), parse.GetValue(folds), Options(parse.GetValue(trainer), parse.GetValue(features)), ct: ct);
            Print(stdout, report, parse.GetValue(json));
            return Task.FromResult(Ok);
        });

        var text = new Argument<string?>("text") { Description = "The text to classify.", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "A CSV file whose texts to classify." };
        var predictText = TextColumn(required: false);
        var predict = new Command("predict", "Classify a text, or every row of a CSV file.") { text, model, task, file, predictText, json };
        predict.SetAction((parse, ct) =>
        {
            var one = parse.GetValue(text);
            var path = parse.GetValue(file);
            if (one is null == path is null) throw new UsageException("Give either a text or --file FILE.csv, not both.");
            var classifier = ResolveModel(parse.GetValue(model), parse.GetValue(task), modelDirectory, stderr);
            var texts = path is null ? [one!] : LabelledCsv.ReadTexts(path, parse.GetValue(predictText)!);
            var predictions = classifier.PredictBatch(texts, ct);
            if (parse.GetValue(json))
            {
                stdout.WriteLine(JsonSerializer.Serialize(predictions.Select((p, i) => new
                {
                    text = texts[i],
                    labels = p.Chosen,
                    explanation = classifier.MultiLabel || path is not null ? null : classifier.Explain(texts[i], p.Top),
                }), Json));
                return Task.FromResult(Ok);
            }
            for (var i = 0; i < predictions.Count; i++)
            {
                var labels = string.Join(", ", predictions[i].Chosen.Select(c => $"{c.Label} ({c.Confidence:0.00})"));
                stdout.WriteLine(path is null ? labels : $"{i + 1}\t{labels}");
            }
            if (path is null && !classifier.MultiLabel)
            {
                var why = classifier.Explain(one!, predictions[0].Top);
                if (why.Count > 0) stdout.WriteLine($"Because of: {string.Join(", ", why.Select(w => $"\"{w.Term}\""))}");
            }
            return Task.FromResult(Ok);
        });

        var benchFolds = new Option<int>("--folds") { Description = "Number of folds (default 5).", DefaultValueFactory = _ => 5 };
        var compareAudience = new Option<bool>("--compare-audience") { Description = "Also compare every trainer on the (slower) audience task." };
        var speedOnly = new Option<bool>("--speed-only") { Description = "Only time training and scoring, and measure the model size." };
        var bench = new Command("bench", "On the shipped corpus: compare trainers and features by cross-validation, then time training and scoring.") { benchFolds, compareAudience, speedOnly, json };
        bench.SetAction((parse, ct) =>
        {
            var result = Benchmark.Run(Taxonomy.Load(), parse.GetValue(benchFolds), parse.GetValue(compareAudience), parse.GetValue(speedOnly), stderr, ct);
            if (parse.GetValue(json)) stdout.WriteLine(JsonSerializer.Serialize(result, Json));
            else Benchmark.Print(stdout, result);
            return Task.FromResult(Ok);
        });

        var activate = new Option<bool>("--activate") { Description = "Make the new versions the active ones." };
        var projectFolds = new Option<int>("--folds") { Description = "Folds of the cross-validation stored with each version (default 5).", DefaultValueFactory = _ => 5 };
        var trainProject = new Command("train-project", "Train the project's theme and audience models on the shipped corpus and every reviewed content item, and store them in the database's model registry.") { activate, projectFolds, json };
        trainProject.SetAction((parse, ct) => WithDatabaseAsync(configuration, stderr, async (db, ct) =>
        {
            var taxonomy = Taxonomy.Load();
            var registry = new ModelRegistry(db);
            var trainer = new ProjectTrainer(registry, new ContentReviewStore(db, taxonomy), taxonomy, new TrainingStatus(),
                Microsoft.Extensions.Options.Options.Create(new ClassifierOptions { CrossValidationFolds = parse.GetValue(projectFolds) }), NullLogger<ProjectTrainer>.Instance);
            var (theme, audience) = await trainer.TrainAsync("command line", parse.GetValue(activate), ct);
            var versions = (await registry.ListAsync(ClassifierTask.Theme, ct)).Concat(await registry.ListAsync(ClassifierTask.Audience, ct))
                .Where(v => v.Id == theme || v.Id == audience).ToList();
            if (parse.GetValue(json))
                stdout.WriteLine(JsonSerializer.Serialize(versions.Select(v => new { v.Id, v.Task, v.IsActive, v.Report!.MacroF1, v.Report.MicroF1 }), Json));
            else
                foreach (var v in versions)
                    stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{v.Task} model version {v.Id}{(v.IsActive ? " (active)" : "")}: macro-F1 {v.Report!.MacroF1:0.000}, micro-F1 {v.Report.MicroF1:0.000} by {v.Report.Folds}-fold cross-validation"));
            return Ok;
        }, ct));

        var classify = new Command("classify", "Classify the content items waiting for it (predicted_at empty) with the active models of the database's registry.") { json };
        classify.SetAction((parse, ct) => WithDatabaseAsync(configuration, stderr, async (db, ct) =>
        {
            var models = new ActiveModels(new ModelRegistry(db), NullLogger<ActiveModels>.Instance);
            await models.RefreshAsync(ct);
            if (!models.Ready)
            {
                await stderr.WriteLineAsync("The model registry has no active theme and audience models: run train-project --activate, or start the dashboard, which trains them.");
                return Failure;
            }
            var count = await new ClassificationJob(db, models, Microsoft.Extensions.Options.Options.Create(new ClassifierOptions()), NullLogger<ClassificationJob>.Instance).ClassifyPendingAsync(ct);
            stdout.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(new { classified = count, themeVersion = models.Theme!.VersionId, audienceVersion = models.Audience!.VersionId }, Json)
                : $"Classified {count} content items with theme model {models.Theme!.VersionId} and audience model {models.Audience!.VersionId}.");
            return Ok;
        }, ct));

        var root = new RootCommand("Narratives classifier: train, evaluate, cross-validate and predict text classifiers.")
        {
            train, evaluate, crossValidate, predict, bench, trainProject, classify,
        };

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
                await stderr.WriteLineAsync(error.Message);
            await stderr.WriteLineAsync("Run with --help to see the commands and their options.");
            return BadInput;
        }
        if (parseResult.CommandResult.Command == root && args.Length == 0)
        {
            await stderr.WriteLineAsync("Give a command: train, evaluate, cross-validate, predict, bench, train-project or classify. Run with --help to see them.");
            return BadInput;
        }
        try
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex) when (ex is CsvInputException or TrainingDataException or UsageException or InvalidDataException or FileNotFoundException or ArgumentException)
        {
            await stderr.WriteLineAsync(ex.Message);
            return BadInput;
        }
    }

    static async Task<int> WithDatabaseAsync(IConfiguration? configuration, TextWriter stderr, Func<NpgsqlDataSource, CancellationToken, Task<int>> action,
        CancellationToken ct)
    {
        configuration ??= new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        try
        {
            using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
            var connection = await NarrativesDatabase.PrepareAsync(configuration, loggers, ct);
            await using (connection.LocalCluster)
            await using (var db = NarrativesDatabase.CreateDataSource(connection.ConnectionString))
                return await action(db, ct);
        }
        catch (Exception ex) when (ex is LocalClusterException or MigrationException or DatabaseUnavailableException)
        {
            await stderr.WriteLineAsync(ex.Message);
            return Failure;
        }
    }

    static string DefaultModelDirectory() =>
        Path.Combine(DataFiles.RepositoryRoot() is { } repo ? Path.Combine(repo, "data") : DataFiles.Root, "models");

    static char Separator(string? value) => value is { Length: 1 } ? value[0]
        : throw new UsageException($"--separator must be one character, not '{value}'.");

    static TrainingOptions Options(TrainerKind trainer, FeatureKind features) => TrainingOptions.Default with { Trainer = trainer, Features = features };

    static TextClassifier ResolveModel(string? model, string? task, string modelDirectory, TextWriter log)
    {
        if (model is null == task is null) throw new UsageException("Give either --model FILE.zip or --task theme|audience.");
        if (model is not null)
            return File.Exists(model) ? TextClassifier.Load(model) : throw new UsageException($"{model}: no such model file.");
        return ProjectTrainingData.LocalModel(ClassifierTasks.Parse(task!), Taxonomy.Load(), modelDirectory, log);
    }

    static void Print(TextWriter stdout, QualityReport report, bool json)
    {
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, Json));
            return;
        }
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine(string.Create(c, $"Rows: {report.Rows}{(report.Folds > 0 ? $", {report.Folds}-fold cross-validation" : "")}{(report.Trainer.Length > 0 ? $", {report.Trainer}" : "")}"));
        stdout.WriteLine(string.Create(c, $"Accuracy{(report.MultiLabel ? " (exact label set)" : "")}: {report.Accuracy:0.000}   Macro-F1: {report.MacroF1:0.000}   Micro-F1: {report.MicroF1:0.000}"));
        stdout.WriteLine();
        var width = Math.Max(10, report.Labels.Max(l => l.Length) + 2);
        stdout.WriteLine($"{"Label".PadRight(width)}{"Precision",10}{"Recall",10}{"F1",10}{"Support",10}");
        foreach (var m in report.PerClass)
            stdout.WriteLine(string.Create(c, $"{m.Label.PadRight(width)}{m.Precision,10:0.000}{m.Recall,10:0.000}{m.F1,10:0.000}{m.Support,10}"));
        if (report.PerLanguage.Count > 0)
        {
            stdout.WriteLine();
            stdout.WriteLine($"{"Language".PadRight(width)}{"Rows",10}{"Accuracy",10}{"Macro-F1",10}{"Micro-F1",10}");
            foreach (var l in report.PerLanguage)
                stdout.WriteLine(string.Create(c, $"{l.Language.PadRight(width)}{l.Rows,10}{l.Accuracy,10:0.000}{l.MacroF1,10:0.000}{l.MicroF1,10:0.000}"));
        }
        if (report.ConfusionMatrix is { } matrix)
        {
            stdout.WriteLine();
            stdout.WriteLine("Confusion matrix (rows: true label, columns: predicted, same order):");
            var cell = Math.Max(6, report.Labels.Max(l => l.Length) + 1);
            stdout.WriteLine("".PadRight(width) + string.Concat(report.Labels.Select(l => l.PadLeft(cell))));
            for (var i = 0; i < matrix.Count; i++)
                stdout.WriteLine(report.Labels[i].PadRight(width) + string.Concat(matrix[i].Select(v => v.ToString(c).PadLeft(cell))));
        }
    }
}

/// <summary>A mistake in how the command was called.</summary>
public sealed class UsageException(string message) : Exception(message);
