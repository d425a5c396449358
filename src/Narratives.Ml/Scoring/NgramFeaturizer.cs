using System.Collections.Concurrent;
using System.Text;
using Microsoft.ML.Data;
using Narratives.Ml.Training;

namespace Narratives.Ml.Scoring;

/// <summary>
/// The trainer's featurizer (<see cref="TextClassifierTrainer.Featurizer"/>) done in our own code, for scoring: the
/// same vector, slot for slot, as ML.NET's fitted transforms give, at a fraction of the cost. Word unigrams and bigrams
/// (words split on spaces) and character 4-grams of the text between a start and an end marker, each counted, times
/// its inverse document frequency log(documents / documents with it), each part L2-normalised on its own, the
/// characters first. Its dictionaries are built as ML.NET builds its own: every n-gram of the training texts numbered
/// in the order first met (at each word, its unigram and then the bigram it starts), so the slots are ML.NET's. A word
/// or n-gram never seen in training counts for nothing, and a bigram with an unknown word is not in the dictionary.
/// The tables are immutable once built; scratch space is pooled, one per scoring thread.
/// </summary>
sealed class NgramFeaturizer
{
    // ML.NET's character tokenizer's markers around each text.
    const char StartMarker = '\u0002', EndMarker = '\u0003';
    const int FileVersion = 1;

    readonly Dictionary<string, int> words; // word → its number
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> wordLookup;
    readonly int[] unigrams; // word number → the slot of its unigram (every known word has one)
    readonly PackedKeyTable bigramTable; // (first word's number, second word's number) → slot
    readonly double[] wordIdf;
    readonly PackedKeyTable? charTable; // four UTF-16 code units → slot; null for words alone
    readonly double[] charIdf;
    readonly ConcurrentBag<Scratch> scratches = [];

    NgramFeaturizer(Dictionary<string, int> words, int[] unigrams, Dictionary<ulong, int> bigrams, double[] wordIdf, Dictionary<ulong, int>? chars,
        double[] charIdf)
    {
        this.words = words;
        wordLookup = words.GetAlternateLookup<ReadOnlySpan<char>>();
        this.unigrams = unigrams;
        bigramTable = new PackedKeyTable(bigrams);
        this.wordIdf = wordIdf;
        charTable = chars is null ? null : new PackedKeyTable(chars);
        this.charIdf = charIdf;
        // ML.NET makes an empty dictionary's vector one slot long, never set.
        CharLength = chars is null ? 0 : Math.Max(1, charIdf.Length);
        Length = CharLength + Math.Max(1, wordIdf.Length);
    }

    /// <summary>The length of the feature vector: the character slots then the word slots.</summary>
    public int Length { get; }

    int CharLength { get; }

    /// <summary>Whether these features can be made here: hashed character n-grams, and lengths other than four, are left to ML.NET.</summary>
    public static bool Supports(TrainingOptions options) =>
        options.Features == FeatureKind.Words || options.Features == FeatureKind.WordsAndCharacters && options.CharNgramLength == 4;

    /// <summary>Builds the dictionaries and inverse document frequencies from the normalised training texts, as ML.NET fits them.</summary>
    public static NgramFeaturizer Fit(IReadOnlyList<string> normalisedTexts, TrainingOptions options)
    {
        if (!Supports(options)) throw new ArgumentOutOfRangeException(nameof(options), options.Describe(false), "These features are made by ML.NET alone.");
        var features = options.Features;
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var unigrams = new List<int>();
        var wordSlots = 0;
        var bigrams = new Dictionary<ulong, int>(MixedHash.Instance);
        var chars = features == FeatureKind.WordsAndCharacters ? new Dictionary<ulong, int>(MixedHash.Instance) : null;
        var wordDf = new List<double>();
        var charDf = new List<double>();
        var seenWords = new HashSet<int>();
        var seenChars = new HashSet<int>();
        var tokens = new List<int>();
        foreach (var text in normalisedTexts)
        {
            tokens.Clear();
            foreach (var range in text.AsSpan().Split(' '))
            {
                var token = text[range];
                if (token.Length == 0) continue;
                if (!words.TryGetValue(token, out var number))
                {
                    words.Add(token, number = words.Count);
                    unigrams.Add(-1);
                }
                tokens.Add(number);
            }
            // Slots numbered in ML.NET's order: at each word its unigram, then the bigram it starts.
            seenWords.Clear();
            for (var i = 0; i < tokens.Count; i++)
            {
                if (unigrams[tokens[i]] < 0) unigrams[tokens[i]] = wordSlots++;
                seenWords.Add(unigrams[tokens[i]]);
                if (i + 1 == tokens.Count) break;
                var key = Pair(tokens[i], tokens[i + 1]);
                if (!bigrams.TryGetValue(key, out var b)) bigrams.Add(key, b = wordSlots++);
                seenWords.Add(b);
            }
            while (wordDf.Count < wordSlots) wordDf.Add(0);
            foreach (var slot in seenWords) wordDf[slot]++;
            if (chars is null) continue;
            seenChars.Clear();
            var packed = 0UL;
            var length = text.Length == 0 ? 0 : text.Length + 2; // an empty text has no markers either
            for (var i = 0; i < length; i++)
            {
                packed = (packed << 16) | (i == 0 ? StartMarker : i == length - 1 ? EndMarker : text[i - 1]);
                if (i < 3) continue;
                if (!chars.TryGetValue(packed, out var slot)) chars.Add(packed, slot = chars.Count);
                seenChars.Add(slot);
            }
            while (charDf.Count < chars.Count) charDf.Add(0);
            foreach (var slot in seenChars) charDf[slot]++;
        }
        double documents = normalisedTexts.Count;
        return new NgramFeaturizer(words, [.. unigrams], bigrams, [.. wordDf.Select(df => Math.Log(documents / df))], chars, [.. charDf.Select(df => Math.Log(documents / df))]);
    }

    static ulong Pair(int first, int second) => ((ulong)(uint)first << 32) | (uint)second;

    /// <summary>The packed keys' default hash collides for most of them (see <see cref="PackedKeyTable"/>).</summary>
    sealed class MixedHash : IEqualityComparer<ulong>
    {
        public static readonly MixedHash Instance = new();
        public bool Equals(ulong x, ulong y) => x == y;
        public int GetHashCode(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 32);
    }

    /// <summary>
    /// The features of a normalised text, sparse with the indices in order. The buffer is the scratch's until its next
    /// use; <paramref name="scratch"/> comes from <see cref="RentScratch"/>.
    /// </summary>
    public VBuffer<float> Featurize(string text, Scratch scratch)
    {
        scratch.Clear();
        if (charTable is not null)
        {
            var packed = 0UL;
            var length = text.Length == 0 ? 0 : text.Length + 2;
            for (var i = 0; i < length; i++)
            {
                packed = (packed << 16) | (i == 0 ? StartMarker : i == length - 1 ? EndMarker : text[i - 1]);
                if (i >= 3 && charTable.Get(packed) is var slot and >= 0) scratch.Count(slot);
            }
            scratch.Weigh(charIdf, 0);
        }
        var previous = -1;
        foreach (var range in text.AsSpan().Split(' '))
        {
            var token = text.AsSpan(range);
            if (token.Length == 0) continue;
            if (!wordLookup.TryGetValue(token, out var number))
            {
                previous = -1;
                continue;
            }
            scratch.Count(unigrams[number]);
            if (previous >= 0 && bigramTable.Get(Pair(previous, number)) is var b and >= 0) scratch.Count(b);
            previous = number;
        }
        var count = scratch.Weigh(wordIdf, CharLength);
        return new VBuffer<float>(Length, count, scratch.Values, scratch.Indices);
    }

    public Scratch RentScratch() => scratches.TryTake(out var s) ? s : new Scratch();

    public void Return(Scratch scratch) => scratches.Add(scratch);

    /// <summary>
    /// One thread's working space: the slots met, once per n-gram (sorted, equal slots side by side give the counts,
    /// which costs less than counting in an array as large as the dictionary, out of the cache), and the output arrays.
    /// </summary>
    public sealed class Scratch
    {
        int[] met = new int[256];
        int metCount;
        internal float[] Values = new float[64];
        internal int[] Indices = new int[64];
        int written;

        internal void Count(int slot)
        {
            if (metCount == met.Length) Array.Resize(ref met, met.Length * 2);
            met[metCount++] = slot;
        }

        internal void Clear() => written = 0;

        /// <summary>
        /// Writes the slots met (offset by <paramref name="offset"/>) after any written since <see cref="Clear"/>,
        /// TF-IDF weighted and L2-normalised, forgets them, and returns how many entries are written in all.
        /// </summary>
        internal int Weigh(double[] idf, int offset)
        {
            var slots = met.AsSpan(0, metCount);
            slots.Sort();
            var start = written;
            if (Values.Length < written + slots.Length)
            {
                Array.Resize(ref Values, Math.Max(Values.Length * 2, written + slots.Length));
                Array.Resize(ref Indices, Values.Length);
            }
            var sum = 0f;
            for (var i = 0; i < slots.Length;)
            {
                var slot = slots[i];
                var count = 1;
                while (++i < slots.Length && slots[i] == slot) count++;
                var value = (float)(count * idf[slot]);
                sum += value * value;
                Indices[written] = offset + slot;
                Values[written++] = value;
            }
            metCount = 0;
            if (sum > 0)
            {
                var scale = 1 / MathF.Sqrt(sum);
                for (var i = start; i < written; i++) Values[i] *= scale;
            }
            return written;
        }
    }

    /// <summary>Writes the dictionaries and inverse document frequencies.</summary>
    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(FileVersion);
        writer.Write(words.Count);
        foreach (var (word, number) in words)
        {
            // As UTF-16 code units, as ML.NET keys them: a lone surrogate would not survive UTF-8.
            writer.Write(word.Length);
            foreach (var c in word) writer.Write((ushort)c);
            writer.Write(number);
            writer.Write(unigrams[number]);
        }
        writer.Write(bigramTable.Count);
        foreach (var (pair, slot) in bigramTable.Entries())
        {
            writer.Write(pair);
            writer.Write(slot);
        }
        WriteDoubles(writer, wordIdf);
        writer.Write(charTable is not null);
        if (charTable is null) return;
        writer.Write(charTable.Count);
        foreach (var (packed, slot) in charTable.Entries())
        {
            writer.Write(packed);
            writer.Write(slot);
        }
        WriteDoubles(writer, charIdf);
    }

    static void WriteDoubles(BinaryWriter writer, double[] values)
    {
        writer.Write(values.Length);
        foreach (var v in values) writer.Write(v);
    }

    public static NgramFeaturizer Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var version = reader.ReadInt32();
        if (version != FileVersion) throw new InvalidDataException($"The model's featurizer is in format {version}; this program reads format {FileVersion}.");
        var wordCount = Count(reader);
        var words = new Dictionary<string, int>(wordCount, StringComparer.Ordinal);
        var unigrams = new int[wordCount];
        for (var i = 0; i < wordCount; i++)
        {
            var units = new char[Count(reader)];
            for (var c = 0; c < units.Length; c++) units[c] = (char)reader.ReadUInt16();
            var word = new string(units);
            var number = reader.ReadInt32();
            if ((uint)number >= (uint)wordCount) throw new InvalidDataException("The model's featurizer is damaged.");
            words.Add(word, number);
            unigrams[number] = reader.ReadInt32();
        }
        var bigramCount = Count(reader);
        var bigrams = new Dictionary<ulong, int>(bigramCount, MixedHash.Instance);
        for (var i = 0; i < bigramCount; i++) bigrams.Add(reader.ReadUInt64(), reader.ReadInt32());
        var wordIdf = ReadDoubles(reader);
        if (wordIdf.Length != wordCount + bigramCount) throw new InvalidDataException("The model's featurizer is damaged.");
        if (!reader.ReadBoolean()) return new NgramFeaturizer(words, unigrams, bigrams, wordIdf, null, []);
        var charCount = Count(reader);
        var chars = new Dictionary<ulong, int>(charCount, MixedHash.Instance);
        for (var i = 0; i < charCount; i++) chars.Add(reader.ReadUInt64(), reader.ReadInt32());
        var charIdf = ReadDoubles(reader);
        if (charIdf.Length != charCount) throw new InvalidDataException("The model's featurizer is damaged.");
        return new NgramFeaturizer(words, unigrams, bigrams, wordIdf, chars, charIdf);
    }

    static int Count(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        return count >= 0 ? count : throw new InvalidDataException("The model's featurizer is damaged.");
    }

    static double[] ReadDoubles(BinaryReader reader)
    {
        var values = new double[Count(reader)];
        for (var i = 0; i < values.Length; i++) values[i] = reader.ReadDouble();
        return values;
    }
}
