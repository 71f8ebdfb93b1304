using System.Globalization;
using Pipeline.Core;

namespace Pipeline.Stages.Iterators;

/// <summary>Batches encoded sentences by length, as MXNet's <c>mx.rnn.BucketSentenceIter</c>: each batch holds sentences of one bucket, padded with <see cref="InvalidLabel"/> to the bucket's length, and the label of each step is the next step's token.</summary>
/// <remarks>
/// <para>Buckets: the given lengths (sorted), or, when none are given, MXNet's choice: every length that at least
/// <see cref="DataIter.BatchSize"/> sentences have exactly. A sentence goes to the smallest bucket that holds it.
/// Each bucket yields only whole batches (as in MXNet): the <c>n mod batchSize</c> sentences left over in a bucket wait
/// for another epoch's order (with shuffling they are other sentences each epoch).</para>
/// <para>Layouts: <c>NT</c> (batch major, MXNet's default <c>NTC</c> also accepted) gives batches of shape
/// (batch, length); <c>TN</c> (or <c>TNC</c>) gives (length, batch). <see cref="DataIter.ProvideData"/> describes the
/// largest bucket (MXNet's <c>default_bucket_key</c>); each batch carries its own <see cref="DataBatch.Index"/> (the sentences' positions in the input), <see cref="DataBatch.ProvideData"/>,
/// <see cref="DataBatch.ProvideLabel"/> and <see cref="DataBatch.BucketKey"/>.</para>
/// <para>Differences from MXNet (decisions 3 and 6 in <c>docs/architecture.md</c>): the order of the batches and of the
/// sentences inside each bucket is a pure function of (seed, epoch), and the first epoch is shuffled too (as MXNet's
/// constructor does); a sentence longer than the largest bucket is an error naming it, unless
/// <c>discardLongSentences</c> is set (MXNet discards them and prints a count), in which case <see cref="Discarded"/>
/// counts them.</para>
/// </remarks>
public sealed class BucketSentenceIter : DataIter
{
    private readonly int[] _buckets;
    private readonly int[][] _rows;
    private readonly int[][] _origins;
    private readonly int[] _rowCounts;
    private readonly (int Bucket, int Start)[] _batches;
    private readonly DType _dtype;
    private readonly bool _timeMajor;
    private readonly bool _shuffle;
    private readonly long _seed;
    private readonly string _dataName;
    private readonly string _labelName;
    private readonly ulong _dataFingerprint;
    private (int Bucket, int Start)[] _order = [];
    private int[][] _rowOrders = [];
    private int _epoch;
    private int _delivered;
    private bool _ended;
    private bool _disposed;

    /// <summary>Initializes the iterator over encoded sentences (see <see cref="EncodeSentences"/>).</summary>
    /// <param name="sentences">The sentences, each a list of token ids; they are copied into the buckets.</param>
    /// <param name="batchSize">The sentences per batch.</param>
    /// <param name="buckets">The bucket lengths; <see langword="null"/> or empty for MXNet's automatic choice.</param>
    /// <param name="invalidLabel">The token that pads a sentence to its bucket's length and ends each label row (MXNet's <c>invalid_label</c>, default -1).</param>
    /// <param name="dataName">The name of the data input.</param>
    /// <param name="labelName">The name of the label input.</param>
    /// <param name="dtype">The element type of data and labels: float32 (default), float64, int32 or int64.</param>
    /// <param name="layout"><c>NT</c> (default; also <c>NTC</c>) for (batch, length) batches, <c>TN</c> (also <c>TNC</c>) for (length, batch).</param>
    /// <param name="shuffle">Whether the batches and the sentences in each bucket are shuffled every epoch (MXNet always shuffles).</param>
    /// <param name="seed">The shuffle seed; <see langword="null"/> picks one at random.</param>
    /// <param name="discardLongSentences">Whether sentences longer than the largest bucket are dropped (and counted in <see cref="Discarded"/>) rather than refused.</param>
    /// <exception cref="ArgumentNullException"><paramref name="sentences"/> or a sentence is null.</exception>
    /// <exception cref="ArgumentException">An argument is invalid, no bucket is left, or a sentence is longer than every bucket; the message names the sentence.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive or <paramref name="dtype"/> is not supported.</exception>
    public BucketSentenceIter(
        IReadOnlyList<IReadOnlyList<int>> sentences,
        int batchSize,
        IReadOnlyList<int>? buckets = null,
        int invalidLabel = -1,
        string dataName = "data",
        string labelName = "softmax_label",
        DType dtype = DType.Float32,
        string layout = "NT",
        bool shuffle = true,
        int? seed = null,
        bool discardLongSentences = false)
        : base(CheckedBatchSize(batchSize))
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentException.ThrowIfNullOrEmpty(dataName);
        ArgumentException.ThrowIfNullOrEmpty(labelName);
        ArgumentNullException.ThrowIfNull(layout);
        if (dtype is not (DType.Float32 or DType.Float64 or DType.Int32 or DType.Int64))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, $"{dtype.ToNumPyName()} is not supported for BucketSentenceIter; use float32, float64, int32 or int64.");
        }

        _timeMajor = layout switch
        {
            "NT" or "NTC" => false,
            "TN" or "TNC" => true,
            _ => throw new ArgumentException($"Invalid layout '{layout}': must be NT (batch major) or TN (time major).", nameof(layout)),
        };
        _buckets = ChooseBuckets(sentences, batchSize, buckets);
        InvalidLabel = invalidLabel;
        Layout = _timeMajor ? "TN" : "NT";
        _dtype = dtype;
        _shuffle = shuffle;
        _seed = seed ?? Random.Shared.Next();
        _dataName = dataName;
        _labelName = labelName;
        (_rows, _origins, _rowCounts, Discarded) = FillBuckets(sentences, _buckets, invalidLabel, discardLongSentences);

        var batches = new List<(int, int)>();
        for (int b = 0; b < _buckets.Length; b++)
        {
            for (int start = 0; start + batchSize <= _rowCounts[b]; start += batchSize) batches.Add((b, start));
        }

        _batches = [.. batches];
        _dataFingerprint = Fingerprint();
        int longest = _buckets[^1];
        ProvideData = [Describe(dataName, longest)];
        ProvideLabel = [Describe(labelName, longest)];
        ReportsEpochRestarts();
        MakeOrder(0);
    }

    /// <summary>Gets the bucket lengths, ascending.</summary>
    public IReadOnlyList<int> Buckets => _buckets;

    /// <summary>Gets the largest bucket, whose shape <see cref="DataIter.ProvideData"/> describes (MXNet's <c>default_bucket_key</c>).</summary>
    public int DefaultBucketKey => _buckets[^1];

    /// <summary>Gets the padding token (MXNet's <c>invalid_label</c>).</summary>
    public int InvalidLabel { get; }

    /// <summary>Gets the layout of the batches: <c>NT</c> or <c>TN</c>.</summary>
    public string Layout { get; }

    /// <summary>Gets how many sentences were longer than the largest bucket and dropped (only with <c>discardLongSentences</c>).</summary>
    public int Discarded { get; }

    /// <summary>Gets the number of sentences in each bucket, in the order of <see cref="Buckets"/>.</summary>
    public IReadOnlyList<int> BucketSizes => _rowCounts;

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override int? BatchesPerEpoch => _batches.Length;

    /// <summary>Encodes sentences of string tokens as token ids, building the vocabulary as it goes, as MXNet's <c>mx.rnn.encode_sentences</c>.</summary>
    /// <param name="sentences">The sentences, each a list of tokens.</param>
    /// <param name="vocab">An existing vocabulary to encode with (not changed); <see langword="null"/> to build a new one.</param>
    /// <param name="invalidLabel">The id of <paramref name="invalidKey"/> in a new vocabulary, skipped when ids are handed out.</param>
    /// <param name="invalidKey">The token of <paramref name="invalidLabel"/> (default <c>"\n"</c>, end of sentence).</param>
    /// <param name="startLabel">The lowest id handed out.</param>
    /// <returns>The encoded sentences and the vocabulary (a new dictionary; with <paramref name="vocab"/> given, a copy of it).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sentences"/> or a sentence is null.</exception>
    /// <exception cref="ArgumentException">A token is not in the given <paramref name="vocab"/>; the message names it and its sentence.</exception>
    public static (IReadOnlyList<int[]> Sentences, Dictionary<string, int> Vocab) EncodeSentences(
        IEnumerable<IEnumerable<string>> sentences,
        IReadOnlyDictionary<string, int>? vocab = null,
        int invalidLabel = -1,
        string invalidKey = "\n",
        int startLabel = 0)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        bool newVocab = vocab is null;
        Dictionary<string, int> words = vocab is null ? new(StringComparer.Ordinal) { [invalidKey] = invalidLabel } : new(vocab, StringComparer.Ordinal);
        var result = new List<int[]>();
        int next = startLabel;
        var coded = new List<int>();
        foreach (IEnumerable<string> sentence in sentences)
        {
            if (sentence is null) throw new ArgumentNullException(nameof(sentences), $"Sentence {result.Count} is null.");
            coded.Clear();
            foreach (string word in sentence)
            {
                if (!words.TryGetValue(word, out int id))
                {
                    if (!newVocab) throw new ArgumentException($"Unknown token '{word}' in sentence {result.Count}: it is not in the given vocabulary.", nameof(sentences));
                    if (next == invalidLabel) next++;
                    id = next++;
                    words[word] = id;
                }

                coded.Add(id);
            }

            result.Add([.. coded]);
        }

        return (result, words);
    }

    /// <inheritdoc />
    public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_delivered >= _order.Length)
        {
            _ended = true;
            return ValueTask.FromResult<DataBatch?>(null);
        }

        (int bucket, int start) = _order[_delivered++];
        return ValueTask.FromResult<DataBatch?>(MakeBatch(bucket, start));
    }

    /// <inheritdoc />
    public override void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        MakeOrder(_epoch + 1);
    }

    /// <inheritdoc />
    /// <remarks>The position is (epoch, batches returned); the order of an epoch follows from the seed.</remarks>
    public override IteratorState SaveState() =>
        new(IteratorKind.BucketSentence, _dataFingerprint, OptionsFingerprint(), BatchSize, LastBatchHandle.Discard, _shuffle, _seed, _epoch, _delivered, carried: 0, _ended);

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(_disposed, this);
        state.CheckMatches(this, IteratorKind.BucketSentence, _dataFingerprint, OptionsFingerprint(), LastBatchHandle.Discard, _shuffle, _seed, "buckets, invalid label, layout, dtype, names");
        if (state.BatchesInEpoch > _batches.Length) throw IteratorState.BadPosition(this, $"it is at batch {state.BatchesInEpoch} of an epoch of {_batches.Length}");
        MakeOrder(state.Epoch);
        _delivered = state.BatchesInEpoch;
        _ended = state.Ended;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private static int CheckedBatchSize(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return batchSize;
    }

    private static int[] ChooseBuckets(IReadOnlyList<IReadOnlyList<int>> sentences, int batchSize, IReadOnlyList<int>? given)
    {
        int[] buckets;
        if (given is { Count: > 0 })
        {
            buckets = [.. given];
            Array.Sort(buckets);
            for (int i = 0; i < buckets.Length; i++)
            {
                if (buckets[i] <= 0) throw new ArgumentException($"Bucket lengths must be positive; got {buckets[i]}.", nameof(given));
                if (i > 0 && buckets[i] == buckets[i - 1]) throw new ArgumentException($"Bucket length {buckets[i]} is given twice.", nameof(given));
            }

            return buckets;
        }

        // MXNet: every length that at least batch_size sentences have (np.bincount, then j >= batch_size).
        var counts = new Dictionary<int, int>();
        for (int i = 0; i < sentences.Count; i++)
        {
            IReadOnlyList<int> sentence = sentences[i] ?? throw new ArgumentNullException(nameof(sentences), $"Sentence {i} is null.");
            counts[sentence.Count] = counts.GetValueOrDefault(sentence.Count) + 1;
        }

        var chosen = new List<int>();
        foreach ((int length, int count) in counts)
        {
            if (count >= batchSize) chosen.Add(length);
        }

        chosen.Sort();
        if (chosen.Count == 0 || chosen[^1] == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"No sentence length occurs at least {batchSize} times (the batch size) among the {sentences.Count} sentences, so no bucket can be chosen; pass buckets explicitly."), nameof(sentences));
        }

        // A bucket of length 0 would hold only empty sentences, which make no steps; MXNet keeps it, but its batches are (B, 0).
        if (chosen[0] == 0) chosen.RemoveAt(0);
        return [.. chosen];
    }

    private static (int[][] Rows, int[][] Origins, int[] Counts, int Discarded) FillBuckets(IReadOnlyList<IReadOnlyList<int>> sentences, int[] buckets, int invalidLabel, bool discard)
    {
        int[] counts = new int[buckets.Length];
        int[] assigned = new int[sentences.Count];
        int discarded = 0;
        for (int i = 0; i < sentences.Count; i++)
        {
            IReadOnlyList<int> sentence = sentences[i] ?? throw new ArgumentNullException(nameof(sentences), $"Sentence {i} is null.");
            int b = Array.BinarySearch(buckets, sentence.Count);
            if (b < 0) b = ~b;
            if (b == buckets.Length)
            {
                if (!discard)
                {
                    throw new ArgumentException(
                        string.Create(CultureInfo.InvariantCulture, $"Sentence {i} has {sentence.Count} tokens, more than the largest bucket ({buckets[^1]}); add a bucket that holds it or pass discardLongSentences: true."),
                        nameof(sentences));
                }

                assigned[i] = -1;
                discarded++;
                continue;
            }

            assigned[i] = b;
            counts[b]++;
        }

        int[][] rows = new int[buckets.Length][];
        int[][] origins = new int[buckets.Length][];
        for (int b = 0; b < buckets.Length; b++)
        {
            origins[b] = new int[counts[b]];
            rows[b] = new int[counts[b] * buckets[b]];
            rows[b].AsSpan().Fill(invalidLabel);
        }

        int[] filled = new int[buckets.Length];
        for (int i = 0; i < sentences.Count; i++)
        {
            int b = assigned[i];
            if (b < 0) continue;
            origins[b][filled[b]] = i;
            Span<int> row = rows[b].AsSpan(filled[b]++ * buckets[b], buckets[b]);
            IReadOnlyList<int> sentence = sentences[i];
            for (int t = 0; t < sentence.Count; t++) row[t] = sentence[t];
        }

        return (rows, origins, counts, discarded);
    }

    private DataDesc Describe(string name, int length) =>
        new(name, _timeMajor ? [length, BatchSize] : [BatchSize, length], _dtype, Layout);

    private void MakeOrder(int epoch)
    {
        EpochRestarted();
        _epoch = epoch;
        _delivered = 0;
        _ended = false;
        _order = [.. _batches];
        _rowOrders = new int[_buckets.Length][];
        for (int b = 0; b < _buckets.Length; b++)
        {
            int[] order = new int[_rowCounts[b]];
            for (int i = 0; i < order.Length; i++) order[i] = i;
            if (_shuffle) SeededRandom.For(_seed, epoch, b + 1).Shuffle(order);
            _rowOrders[b] = order;
        }

        if (_shuffle) SeededRandom.For(_seed, epoch, 0).Shuffle(_order);
    }

    private DataBatch MakeBatch(int bucket, int start)
    {
        int length = _buckets[bucket];
        int[] rows = _rows[bucket];
        int[] order = _rowOrders[bucket];
        int[] shape = _timeMajor ? [length, BatchSize] : [BatchSize, length];
        NDArray data = NDArray.Empty(_dtype, shape);
        NDArray label = NDArray.Empty(_dtype, shape);
        try
        {
            for (int n = 0; n < BatchSize; n++)
            {
                ReadOnlySpan<int> row = rows.AsSpan(order[start + n] * length, length);
                for (int t = 0; t < length; t++)
                {
                    // The label of step t is the token of step t + 1; the last step's is the invalid label.
                    int at = _timeMajor ? (t * BatchSize) + n : (n * length) + t;
                    Store(data, at, row[t]);
                    Store(label, at, t + 1 < length ? row[t + 1] : InvalidLabel);
                }
            }
        }
        catch
        {
            data.Dispose();
            label.Dispose();
            throw;
        }

        long[] index = new long[BatchSize];
        for (int n = 0; n < BatchSize; n++) index[n] = _origins[bucket][order[start + n]];
        return new DataBatch([data], [label], pad: 0, index)
        {
            BucketKey = length,
            ProvideData = [Describe(_dataName, length)],
            ProvideLabel = [Describe(_labelName, length)],
        };
    }

    private static void Store(NDArray array, int at, int value)
    {
        switch (array.DType)
        {
            case DType.Float32: array.AsSpan<float>()[at] = value; break;
            case DType.Float64: array.AsSpan<double>()[at] = value; break;
            case DType.Int32: array.AsSpan<int>()[at] = value; break;
            default: array.AsSpan<long>()[at] = value; break;
        }
    }

    private ulong Fingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(_buckets);
        for (int b = 0; b < _buckets.Length; b++) fingerprint.Add(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_rows[b].AsSpan()));
        return fingerprint.Value;
    }

    private ulong OptionsFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(InvalidLabel);
        fingerprint.Add(Layout);
        fingerprint.Add((long)_dtype);
        fingerprint.Add(_dataName);
        fingerprint.Add(_labelName);
        return fingerprint.Value;
    }
}
