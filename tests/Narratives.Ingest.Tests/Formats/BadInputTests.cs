using System.Text;
using Narratives.Ingest.Formats;

namespace Narratives.Ingest.Tests.Formats;

public sealed class BadInputTests
{
    const string Header = "platform,external_id,title,text,permalink,published_at,language,duration_seconds,meaning,date,period_start,impressions,reach,views,watch_seconds,reactions,comments,shares,clicks,saves,follows,spend";

    static (List<ImportRow> Rows, List<RowError> Errors) ReadText(string text, string name = "test.csv", Encoding? encoding = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"narratives-{Guid.NewGuid():N}-{name}");
        File.WriteAllBytes(path, (encoding ?? new UTF8Encoding(false)).GetBytes(text));
        try
        {
            var items = ExportReader.Open(path, new ImportContext(1, name, new DateOnly(2026, 11, 23)), new ReadLimits(MaxFieldLength: 2048)).Read().ToList();
            return (items.Where(i => i.Row is not null).Select(i => i.Row!).ToList(), items.Where(i => i.Error is not null).Select(i => i.Error!).ToList());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Every_kind_of_bad_row_is_quarantined_with_its_line_column_reason_and_raw_text_and_the_good_rows_survive()
    {
        var (rows, errors) = ReadText(File.ReadAllText(IngestTestDatabase.Sample("narratives-template-with-bad-rows.csv")));

        Assert.Equal(["article-good-1", "article-good-2"], rows.Select(r => r.ExternalId));
        Assert.Equal(8, rows[1].Line);
        Assert.Collection(errors,
            e => Assert.Equal((3, "views", "\"a lot\" is not a whole number."), (e.Line, e.Column, e.Message)),
            e => Assert.Equal((4, "views", "\"-5\" is negative; counts cannot be."), (e.Line, e.Column, e.Message)),
            e => Assert.Equal((5, "date", "\"2026-02-30\" is not a real date."), (e.Line, e.Column, e.Message)),
            e => Assert.Equal((6, null, "This row has 5 columns; the header has 22."), (e.Line, e.Column, e.Message)),
            e => Assert.Equal((7, null, "A quoted field is never closed (unterminated quote)."), (e.Line, e.Column, e.Message)));
        Assert.Equal("website,article-short,Too few columns,daily,2026-11-20", errors[3].RawText);
        Assert.StartsWith("website,article-quote,\"Unterminated", errors[4].RawText);
    }

    [Theory]
    [InlineData("", "The file is empty.")]
    [InlineData("\r\n\r\n", "The file is empty.")]
    [InlineData(Header + "\r\n", "has a header but no rows")]
    [InlineData(Header + "\r\nwebsite,a,Title,,,,en,,daily,2026-11-20,,,,100,,,,,,,,\r\nwebsite,b,Tit", "looks truncated")]
    [InlineData(Header + "\r\nwebsite,a,\"Title", "looks truncated")]
    [InlineData("Name,Colour,Size\r\napple,red,3\r\n", "Its header looked like: \"Name,Colour,Size\"")]
    public void An_unusable_file_is_rejected_with_one_clear_message(string text, string expected)
    {
        var ex = Assert.Throws<FileRejectedException>(() => ReadText(text));

        Assert.Contains(expected, ex.Message);
        Assert.Contains("Nothing was imported", ex.Message);
    }

    [Fact]
    public void The_unknown_format_message_lists_every_supported_format()
    {
        var ex = Assert.Throws<FileRejectedException>(() => ReadText("a,b\r\n1,2\r\n"));

        foreach (var format in ExportReader.Formats)
            Assert.Contains(format.Description, ex.Message);
        Assert.Contains("RSS or Atom", ex.Message);
    }

    [Fact]
    public void A_binary_file_is_not_a_text_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"narratives-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 0, 0, 0, 4]);
        try
        {
            var ex = Assert.Throws<FileRejectedException>(() => ExportReader.Open(path, new ImportContext(1, "x.png", new DateOnly(2026, 11, 23))));
            Assert.Contains("not a text file", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_field_over_the_size_limit_rejects_the_file()
    {
        var ex = Assert.Throws<FileRejectedException>(() =>
            ReadText(Header + "\r\nwebsite,a," + new string('x', 5000) + ",,,,en,,daily,2026-11-20,,,,100,,,,,,,,\r\n"));

        Assert.Contains("over the limit of 2,048", ex.Message);
    }

    [Fact]
    public void A_quoted_field_may_span_lines_and_keeps_its_commas_and_doubled_quotes()
    {
        var (rows, errors) = ReadText(Header + "\r\nwebsite,a,\"Say \"\"no\"\",\r\nthen leave\",,,,en,,daily,2026-11-20,,,,100,,,,,,,,\r\n");

        Assert.Empty(errors);
        Assert.Equal("Say \"no\",\nthen leave", rows[0].Title);
    }

    [Fact]
    public void A_semicolon_separated_latin1_file_from_a_french_spreadsheet_is_read()
    {
        var (rows, errors) = ReadText(Header.Replace(',', ';') + "\r\nwebsite;a;Été;;;;fr;;daily;2026-11-20;;;;1 234;;;;;;;;12,50\r\n", encoding: Encoding.Latin1);

        Assert.Empty(errors);
        Assert.Equal(("Été", 1234L, 12.50m), (rows[0].Title, rows[0].Metrics.Views!.Value, rows[0].Metrics.Spend!.Value));
    }

    [Theory]
    [InlineData("1,234", 1234L)]
    [InlineData("1 234", 1234L)]
    [InlineData("1.2K", 1200L)]
    [InlineData("3,4 M", 3_400_000L)]
    [InlineData("12.0", 12L)]
    [InlineData("--", null)]
    [InlineData("", null)]
    public void Counts_are_read_as_platforms_write_them(string text, long? expected) =>
        Assert.Equal(expected, Values.Count(text, "views"));

    [Theory]
    [InlineData("1.5")]
    [InlineData("4.35%")]
    [InlineData("-3")]
    [InlineData("many")]
    public void Counts_that_are_not_whole_non_negative_numbers_are_refused(string text) =>
        Assert.Throws<CellException>(() => Values.Count(text, "views"));
}
