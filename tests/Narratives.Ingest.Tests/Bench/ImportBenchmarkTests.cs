using Narratives.Ingest.Bench;
using Narratives.Ingest.Formats;

namespace Narratives.Ingest.Tests.Bench;

public sealed class ImportBenchmarkTests
{
    [Fact]
    public void The_generated_export_is_a_valid_template_file_with_the_rows_asked_for()
    {
        var path = Path.Combine(Path.GetTempPath(), $"narratives-bench-{Guid.NewGuid():N}.csv");
        try
        {
            ImportBenchmark.Generate(path, 1_234);

            var file = ExportReader.Open(path, new ImportContext(1, "bench.csv", new DateOnly(2026, 11, 22)));
            var items = file.Read().ToList();
            Assert.Equal("narratives_template", file.Format);
            Assert.Equal(1_234, items.Count(i => i.Row is not null));
            Assert.DoesNotContain(items, i => i.Error is not null);
            Assert.Equal(13, items.Select(i => i.Row!.ExternalId).Distinct().Count());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
