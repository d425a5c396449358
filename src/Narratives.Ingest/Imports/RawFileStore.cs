using System.Security.Cryptography;

namespace Narratives.Ingest.Imports;

/// <summary>A file kept for replay: its SHA-256, size and where it lives under the raw file directory.</summary>
public sealed record StoredFile(byte[] Sha256, long SizeBytes, string StoragePath, string FullPath)
{
    public string Hash => Convert.ToHexStringLower(Sha256);
}

/// <summary>The upload is over the size limit; nothing was kept.</summary>
public sealed class FileTooLargeException(long limit) : Exception($"The file is larger than the limit of {limit / (1024 * 1024):N0} MB. Nothing was imported.")
{
    public long Limit { get; } = limit;
}

/// <summary>
/// Keeps every imported file on disk under its SHA-256 (<c>ab/cd/abcd….bin</c>) so an import can be replayed after a
/// parser fix. The upload is streamed to disk while it is hashed; it is never held in memory.
/// </summary>
public sealed class RawFileStore(IngestOptions options)
{
    public string Root { get; } = options.ResolvedRawFileDirectory();

    public async Task<StoredFile> SaveAsync(Stream content, long? maxBytes, CancellationToken ct)
    {
        var tmpDir = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(tmpDir);
        var tmp = Path.Combine(tmpDir, Guid.NewGuid().ToString("N"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        try
        {
            await using (var file = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += n;
                    if (maxBytes is { } max && size > max) throw new FileTooLargeException(max);
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                }
            }
            var sha = hash.GetHashAndReset();
            var hex = Convert.ToHexStringLower(sha);
            var relative = Path.Combine(hex[..2], hex[2..4], hex + ".bin");
            var full = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            if (File.Exists(full)) File.Delete(tmp);
            else File.Move(tmp, full);
            return new StoredFile(sha, size, relative.Replace('\\', '/'), full);
        }
        catch
        {
            if (File.Exists(tmp)) File.Delete(tmp);
            throw;
        }
    }

    public string FullPathOf(string storagePath) => Path.Combine(Root, storagePath);
}
