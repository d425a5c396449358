namespace Narratives.Ml.Scoring;

/// <summary>
/// An immutable map from 64-bit keys (four characters, or two word numbers) to slots, by open addressing. The keys are
/// small numbers packed side by side, whose default hash (the two halves XORed) collides for most of them and made a
/// Dictionary many times slower; a multiplicative hash spreads them. Each key sits beside its slot, so that a look-up in
/// a table too large for the cache costs one miss rather than two.
/// </summary>
sealed class PackedKeyTable
{
    readonly Entry[] entries;
    readonly int shift;

    struct Entry
    {
        public ulong Key;
        public int Slot; // -1: empty
    }

    public PackedKeyTable(IReadOnlyDictionary<ulong, int> entries)
    {
        var bits = 4;
        while (1 << bits < entries.Count * 2) bits++; // at most half full
        this.entries = new Entry[1 << bits];
        Array.Fill(this.entries, new Entry { Slot = -1 });
        shift = 64 - bits;
        var mask = this.entries.Length - 1;
        foreach (var (key, slot) in entries)
        {
            var i = Home(key);
            while (this.entries[i].Slot >= 0) i = (i + 1) & mask;
            this.entries[i] = new Entry { Key = key, Slot = slot };
        }
        Count = entries.Count;
    }

    public int Count { get; }

    /// <summary>Every key with its slot, in no particular order (for saving the table).</summary>
    public IEnumerable<(ulong Key, int Slot)> Entries()
    {
        foreach (var entry in entries)
            if (entry.Slot >= 0) yield return (entry.Key, entry.Slot);
    }

    int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> shift);

    /// <summary>The key's slot, or -1.</summary>
    public int Get(ulong key)
    {
        var mask = entries.Length - 1;
        for (var i = Home(key); ; i = (i + 1) & mask)
        {
            ref readonly var entry = ref entries[i];
            if (entry.Slot < 0 || entry.Key == key) return entry.Slot;
        }
    }
}
