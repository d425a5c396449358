using Narratives.Core.Reference;
using Narratives.Ml.Scoring;

namespace Narratives.Ml.Training;

/// <summary>The project's two classification tasks over the taxonomy of data/taxonomy.json.</summary>
public enum ClassifierTask
{
    Theme,
    Audience,
}

public static class ClassifierTasks
{
    public static string Id(this ClassifierTask task) => task == ClassifierTask.Theme ? "theme" : "audience";

    public static bool IsMultiLabel(this ClassifierTask task) => task == ClassifierTask.Audience;

    public static ClassifierTask Parse(string id) => id.Trim().ToLowerInvariant() switch
    {
        "theme" => ClassifierTask.Theme,
        "audience" or "audiences" => ClassifierTask.Audience,
        _ => throw new ArgumentException($"Unknown task '{id}': use theme or audience."),
    };
}

/// <summary>
/// The project's training data for a task: the shipped corpus plus the content items people have reviewed, every
/// label checked against the taxonomy.
/// </summary>
public static class ProjectTrainingData
{
    public static IReadOnlyList<LabelledText> Corpus(ClassifierTask task, Taxonomy taxonomy, string? path = null)
    {
        var rows = LabelledCsv.ReadCorpus(path, task == ClassifierTask.Theme ? "theme" : "audiences", task.IsMultiLabel());
        Check(rows, task, taxonomy, "the training corpus");
        return rows;
    }

    public static void Check(IReadOnlyList<LabelledText> rows, ClassifierTask task, Taxonomy taxonomy, string source)
    {
        var known = task == ClassifierTask.Theme ? taxonomy.Themes : taxonomy.Audiences;
        var unknown = rows.SelectMany(r => r.Labels).Where(l => known.All(k => k.Id != l)).Distinct().ToList();
        if (unknown.Count > 0)
            throw new TrainingDataException($"{source} uses {task.Id()} labels that are not in the taxonomy: {string.Join(", ", unknown)}.");
    }

    /// <summary>The project model for a task from a local file, trained from the shipped corpus the first time.</summary>
    public static TextClassifier LocalModel(ClassifierTask task, Taxonomy taxonomy, string directory, TextWriter? log = null)
    {
        var path = Path.Combine(directory, $"{task.Id()}.zip");
        if (File.Exists(path)) return TextClassifier.Load(path);
        log?.WriteLine($"No {task.Id()} model yet: training one from the shipped corpus into {path} ...");
        var model = TextClassifierTrainer.Train(Corpus(task, taxonomy), task.IsMultiLabel());
        Directory.CreateDirectory(directory);
        model.Save(path);
        return model;
    }
}
