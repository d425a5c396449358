using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Tests.Imports;

public sealed class StagingChunksTests
{
    [Fact]
    public void The_first_three_chunks_ramp_up_to_the_full_chunk_size()
    {
        Assert.Equal(
            [8_000, 16_000, 32_000, 64_000, 64_000],
            Enumerable.Range(0, 5).Select(n => StagingChunks.ChunkTarget(n, n * 8_000, 0, 64_000)));
    }

    [Fact]
    public void Near_the_end_of_the_file_a_chunk_takes_half_of_the_rows_left()
    {
        // 150,000 rows read at 75 %: about 50,000 left, so a chunk of 25,000.
        Assert.Equal(25_000, StagingChunks.ChunkTarget(20, 150_000, 0.75, 64_000));
        // Never more than the full chunk size, never less than an eighth of it.
        Assert.Equal(64_000, StagingChunks.ChunkTarget(20, 500_000, 0.5, 64_000));
        Assert.Equal(8_000, StagingChunks.ChunkTarget(20, 999_000, 0.999, 64_000));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void Without_a_fraction_read_inside_the_file_the_size_follows_the_ramp_alone(double fraction)
    {
        Assert.Equal(64_000, StagingChunks.ChunkTarget(7, 400_000, fraction, 64_000));
        Assert.Equal(16_000, StagingChunks.ChunkTarget(1, 8_000, fraction, 64_000));
    }

    [Fact]
    public void Tiny_chunk_sizes_still_give_chunks_of_at_least_one_row()
    {
        Assert.All(Enumerable.Range(0, 4), n => Assert.True(StagingChunks.ChunkTarget(n, n, 0.5, 2) >= 1));
        Assert.Equal(1, StagingChunks.ChunkTarget(0, 0, 0, 1));
    }
}
