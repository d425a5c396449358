using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Narratives.Ml.Cli;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Registry;
using Narratives.Ml.Training;
using Narratives.Testing;

namespace Narratives.Ml.Tests.Cli;

public sealed class ClassifierCommandLineTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("narratives-ml-cli-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string WriteCsv(string name, string content, Encoding? encoding = null)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, content, encoding ?? new UTF8Encoding(false));
        return path;
    }

    string TinyCsv() => WriteCsv("tiny.csv", "body,topic,groups\n" + string.Join("\n", TinyData.Themes.Select((t, i) =>
        $"\"{t.Text.Replace("\"", "\"\"")}\",{t.Labels[0]},{string.Join(';', TinyData.Audiences[i].Labels)}")));

    async Task<(int Exit, string Out, string Err)> Run(params string[] args) => await RunWith(null, args);

    async Task<(int Exit, string Out, string Err)> RunWith(IConfiguration? configuration, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await ClassifierCommandLine.RunAsync(args, stdout, stderr, Path.Combine(dir, "models"), configuration);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Classify_scores_the_waiting_items_with_the_registrys_active_models_and_says_when_there_are_none()
    {
        await using var db = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(withDemoData: true);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:Narratives", db.ConnectionString)]).Build();

        var none = await RunWith(configuration, "classify");
        Assert.Equal(ClassifierCommandLine.Failure, none.Exit);
        Assert.Contains("no active theme and audience models", none.Err);

        var registry = new ModelRegistry(db.DataSource);
        var report = new QualityReport(false, 1, 0, 1, 1, 1, [], [], null, []);
        await registry.SaveAsync(ClassifierTask.Theme, TinyData.ThemeModel, report, "2026.1", "test", activate: true);
        await registry.SaveAsync(ClassifierTask.Audience, TinyData.AudienceModel, report, "2026.1", "test", activate: true);
        var done = await RunWith(configuration, "classify", "--json");
        Assert.Equal(0, done.Exit);
        Assert.True(JsonDocument.Parse(done.Out).RootElement.GetProperty("classified").GetInt32() >= 100);
    }

    [Fact]
    public async Task Train_then_predict_and_evaluate_work_on_any_labelled_csv()
    {
        var csv = TinyCsv();
        var model = Path.Combine(dir, "model.zip");

        var train = await Run("train", "--data", csv, "--text-column", "body", "--label-column", "topic", "--out", model, "--json");
        Assert.Equal(0, train.Exit);
        Assert.Equal(["dialogue", "literacy", "victims"], JsonDocument.Parse(train.Out).RootElement.GetProperty("labels").EnumerateArray().Select(e => e.GetString()));

        var predict = await Run("predict", "--model", model, "Check the source of the video before you share it");
        Assert.Equal(0, predict.Exit);
        Assert.StartsWith("literacy", predict.Out);
        Assert.Contains("Because of:", predict.Out);

        var evaluate = await Run("evaluate", "--data", csv, "--text-column", "body", "--label-column", "topic", "--model", model, "--json");
        Assert.Equal(0, evaluate.Exit);
        var report = JsonDocument.Parse(evaluate.Out).RootElement;
        Assert.InRange(report.GetProperty("macroF1").GetDouble(), 0.9, 1.0);
        Assert.Equal(3, report.GetProperty("confusionMatrix").GetArrayLength());
    }

    [Fact]
    public async Task Multi_label_training_and_file_prediction_work()
    {
        var csv = TinyCsv();
        var model = Path.Combine(dir, "groups.zip");

        var train = await Run("train", "--data", csv, "--text-column", "body", "--label-column", "groups", "--multi-label", "--separator", ";", "--out", model);
        Assert.Equal(0, train.Exit);
        var predict = await Run("predict", "--model", model, "--file", csv, "--text-column", "body");
        Assert.Equal(0, predict.Exit);
        Assert.Equal(TinyData.Themes.Count, predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Cross_validate_reports_per_class_and_per_language()
    {
        var csv = TinyCsv();

        var cv = await Run("cross-validate", "--data", csv, "--text-column", "body", "--label-column", "topic", "--folds", "3");

        Assert.Equal(0, cv.Exit);
        Assert.Contains("Macro-F1", cv.Out);
        Assert.Contains("literacy", cv.Out);
        Assert.Contains("Confusion matrix", cv.Out);
    }

    [Fact]
    public async Task A_missing_column_is_named_with_exit_code_2()
    {
        var (exit, _, err) = await Run("train", "--data", TinyCsv(), "--text-column", "content", "--label-column", "topic", "--out", Path.Combine(dir, "m.zip"));

        Assert.Equal(ClassifierCommandLine.BadInput, exit);
        Assert.Contains("no column 'content'", err);
        Assert.Contains("body, topic, groups", err);
    }

    [Fact]
    public async Task An_empty_file_is_refused_with_exit_code_2()
    {
        var (exit, _, err) = await Run("cross-validate", "--data", WriteCsv("empty.csv", ""), "--text-column", "t", "--label-column", "l");

        Assert.Equal(ClassifierCommandLine.BadInput, exit);
        Assert.Contains("empty.csv is empty", err);
    }

    [Fact]
    public async Task A_label_with_a_single_example_is_refused_with_exit_code_2()
    {
        var csv = WriteCsv("single.csv", "text,label\none,a\ntwo,a\nthree,b\nfour,b\nfive,c\n");

        var (exit, _, err) = await Run("train", "--data", csv, "--text-column", "text", "--label-column", "label", "--out", Path.Combine(dir, "m.zip"));

        Assert.Equal(ClassifierCommandLine.BadInput, exit);
        Assert.Contains("'c' has a single example", err);
    }

    [Fact]
    public async Task Text_that_is_not_utf8_is_refused_with_exit_code_2()
    {
        var path = Path.Combine(dir, "latin1.csv");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("text,label\nl'été arrive,a\nl'hiver,b\n"));

        var (exit, _, err) = await Run("train", "--data", path, "--text-column", "text", "--label-column", "label", "--out", Path.Combine(dir, "m.zip"));

        Assert.Equal(ClassifierCommandLine.BadInput, exit);
        Assert.Contains("not UTF-8", err);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("train", "--data")]
    [InlineData("predict", "some text")]
    [InlineData("predict", "--model", "missing.zip", "some text")]
    public async Task Bad_usage_exits_with_code_2_and_says_what_is_wrong(params string[] args)
    {
        var (exit, _, err) = await Run(args);

        Assert.Equal(ClassifierCommandLine.BadInput, exit);
        Assert.False(string.IsNullOrWhiteSpace(err));
    }

    [Fact]
    public async Task No_command_at_all_is_bad_input()
    {
        var (exit, _, err) = await Run();

        Assert.Equal(ClassifierCommandLine.BadInput, exit);
        Assert.Contains("--help", err);
    }
}
