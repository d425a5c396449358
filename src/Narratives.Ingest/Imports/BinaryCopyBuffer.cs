using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Narratives.Ingest.Imports;

/// <summary>
/// Rows in PostgreSQL's binary COPY format (header, rows, trailer), written into a growing buffer that is then sent
/// with a raw binary COPY. Encoding the values here costs a fraction of handing each one to Npgsql's binary importer
/// (which resolves its type and checks its buffer per value), and a buffer can be filled while the connection is busy.
/// The encodings are PostgreSQL's send formats, as Npgsql writes them.
/// </summary>
sealed class BinaryCopyBuffer : IDisposable
{
    static ReadOnlySpan<byte> Header => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    byte[] buffer;
    int length;

    public BinaryCopyBuffer(int capacity = 1 << 20)
    {
        buffer = ArrayPool<byte>.Shared.Rent(capacity);
        Header.CopyTo(buffer);
        length = Header.Length;
    }

    public int Length => length;

    /// <summary>The bytes written so far (after <see cref="Finish"/>, a whole COPY stream).</summary>
    public ReadOnlyMemory<byte> Written => buffer.AsMemory(0, length);

    public void StartRow(short fields)
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(length), fields);
        length += 2;
    }

    public void Finish()
    {
        Ensure(2);
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(length), -1);
        length += 2;
    }

    public void WriteNull() => Int32(-1);

    public void Write(int value)
    {
        Ensure(8);
        Int32(4);
        Int32(value);
    }

    public void Write(long value)
    {
        Ensure(12);
        Int32(8);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(length), value);
        length += 8;
    }

    public void Write(bool value)
    {
        Ensure(5);
        Int32(1);
        buffer[length++] = value ? (byte)1 : (byte)0;
    }

    /// <summary>Days since 2000-01-01; the extreme values are PostgreSQL's infinities, as Npgsql writes them.</summary>
    public void Write(DateOnly value) =>
        Write(value == DateOnly.MinValue ? int.MinValue : value == DateOnly.MaxValue ? int.MaxValue : value.DayNumber - PostgresEpochDay);

    /// <summary>timestamptz: microseconds since 2000-01-01 UTC.</summary>
    public void Write(DateTimeOffset value) =>
        Write(value == DateTimeOffset.MinValue ? long.MinValue : value == DateTimeOffset.MaxValue ? long.MaxValue : (value.UtcTicks - PostgresEpochTicks) / 10);

    public void Write(string value)
    {
        Ensure(4 + Utf8.GetMaxByteCount(value.Length));
        var n = Utf8.GetBytes(value, buffer.AsSpan(length + 4));
        Int32(n);
        length += n;
    }

    /// <summary>
    /// numeric: the count of base-10000 digits, the weight of the first, the sign and the display scale, then the
    /// digits. The decimal's unscaled value is scaled up to a multiple of four decimals so the digits line up.
    /// </summary>
    public void Write(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        var unscaled = ((UInt128)(uint)bits[2] << 64) | ((UInt128)(uint)bits[1] << 32) | (uint)bits[0];
        var pad = (4 - scale % 4) % 4;
        for (var i = 0; i < pad; i++) unscaled *= 10;
        var fractionDigits = (scale + pad) / 4;

        // Base-10000 digits, least significant first; 96 bits times 1000 has at most 8.
        Span<short> digits = stackalloc short[10];
        var count = 0;
        if (unscaled <= ulong.MaxValue)
        {
            for (var u = (ulong)unscaled; u != 0; u /= 10000) digits[count++] = (short)(u % 10000);
        }
        else
        {
            for (var u = unscaled; u != 0; u /= 10000) digits[count++] = (short)(ulong)(u % 10000);
        }
        var low = 0;
        while (low < count && digits[low] == 0) low++;
        var ndigits = count - low;
        var weight = ndigits == 0 ? 0 : count - 1 - fractionDigits;

        Ensure(4 + 8 + 2 * ndigits);
        Int32(8 + 2 * ndigits);
        Int16((short)ndigits);
        Int16((short)weight);
        Int16(negative && ndigits > 0 ? (short)0x4000 : (short)0);
        Int16((short)scale);
        for (var i = count - 1; i >= low; i--) Int16(digits[i]);
    }

    public void Write(int? value)
    {
        if (value is { } v) Write(v);
        else WriteNull();
    }

    public void Write(long? value)
    {
        if (value is { } v) Write(v);
        else WriteNull();
    }

    public void Write(DateOnly? value)
    {
        if (value is { } v) Write(v);
        else WriteNull();
    }

    public void Write(DateTimeOffset? value)
    {
        if (value is { } v) Write(v);
        else WriteNull();
    }

    public void Write(decimal? value)
    {
        if (value is { } v) Write(v);
        else WriteNull();
    }

    public void WriteOrNull(string? value)
    {
        if (value is not null) Write(value);
        else WriteNull();
    }

    void Int32(int value)
    {
        Ensure(4);
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(length), value);
        length += 4;
    }

    void Int16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(buffer.AsSpan(length), value);
        length += 2;
    }

    void Ensure(int bytes)
    {
        if (length + bytes <= buffer.Length) return;
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(buffer.Length * 2, length + bytes));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = larger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = [];
        length = 0;
    }
}
