using System.Buffers.Binary;
using System.Globalization;

namespace Pipeline.Core;

/// <summary>Where an iterator stands: a small, versioned token that <see cref="DataIter.RestoreState"/> resumes from, exactly.</summary>
/// <remarks>
/// <para>The token holds a format version, the kind of iterator, a fingerprint of the data set and one of the options
/// that change the stream (batch size, last-batch policy and shuffle are kept as they are, so a mismatch names them),
/// the seed, the epoch and the position in it: the batches returned to the consumer, the examples carried into the
/// epoch by a roll-over and, for a stream, where its source stands (byte offsets). A single iterator's token is 53 to 117 bytes; one that wraps others (<c>PrefetchingIter</c>,
/// <c>ResizeIter</c>) holds theirs after its own. Thread count and prefetch depth are not part of it.</para>
/// <para>Resuming never replays: because randomness is a pure function of (seed, epoch, sample ordinal), an iterator
/// seeks to the position and produces the next batch an uninterrupted run would have produced (decision 15 in
/// <c>docs/architecture.md</c>).</para>
/// </remarks>
public sealed class IteratorState
{
    /// <summary>The format this library writes and the newest it reads.</summary>
    internal const byte CurrentVersion = 1;

    private const ushort Magic = 0x5350; // "PS" little-endian
    private const int HeaderSize = 49;
    private const int MaxCursors = 8;
    private const int ChecksumSize = 4;
    private const int MaxInner = 255;
    private readonly IteratorState[] _inner;
    private readonly long[] _cursors;

    /// <summary>Initializes a state.</summary>
    internal IteratorState(IteratorKind kind, ulong dataFingerprint, ulong optionsFingerprint, int batchSize, LastBatchHandle handle, bool shuffle, long seed, int epoch, int batches, int carried, bool ended, ReadOnlySpan<long> cursors = default, IReadOnlyList<IteratorState>? inner = null)
    {
        Kind = kind;
        DataFingerprint = dataFingerprint;
        OptionsFingerprint = optionsFingerprint;
        BatchSize = batchSize;
        Handle = handle;
        Shuffle = shuffle;
        Seed = seed;
        Epoch = epoch;
        BatchesInEpoch = batches;
        Carried = carried;
        Ended = ended;
        _cursors = cursors.ToArray();
        if (_cursors.Length > MaxCursors) throw new ArgumentOutOfRangeException(nameof(cursors), _cursors.Length, $"A state holds at most {MaxCursors} source positions.");
        _inner = inner is null ? [] : [.. inner];
        if (_inner.Length > MaxInner) throw new ArgumentOutOfRangeException(nameof(inner), _inner.Length, $"A state holds at most {MaxInner} inner states.");
    }

    /// <summary>Gets the zero-based epoch the iterator was in.</summary>
    public int Epoch { get; }

    /// <summary>Gets the number of batches of <see cref="Epoch"/> already returned to the consumer.</summary>
    public int BatchesInEpoch { get; }

    /// <summary>Gets whether the consumer had seen the end of <see cref="Epoch"/> (a <see langword="null"/> batch) without resetting.</summary>
    public bool Ended { get; }

    internal IteratorKind Kind { get; }

    internal ulong DataFingerprint { get; }

    internal ulong OptionsFingerprint { get; }

    internal int BatchSize { get; }

    internal LastBatchHandle Handle { get; }

    internal bool Shuffle { get; }

    internal long Seed { get; }

    /// <summary>Gets the examples the roll-over carried into <see cref="Epoch"/> from the epochs before it.</summary>
    internal int Carried { get; }

    /// <summary>Gets the iterator-specific source positions (byte offsets in files), if any.</summary>
    internal IReadOnlyList<long> Cursors => _cursors;

    internal IReadOnlyList<IteratorState> Inner => _inner;

    /// <summary>Serializes the state.</summary>
    /// <returns>The token's bytes (at most 128 for a single iterator).</returns>
    public byte[] ToBytes()
    {
        int length = EncodedLength();
        if (length > ushort.MaxValue) throw new InvalidOperationException($"The state takes {length} bytes; a token holds at most {ushort.MaxValue}.");
        byte[] bytes = new byte[length];
        Write(bytes);
        return bytes;
    }

    /// <summary>Reads a state written by <see cref="ToBytes"/> (in this or another process).</summary>
    /// <param name="bytes">The token.</param>
    /// <returns>The state.</returns>
    /// <exception cref="FormatException">The bytes are truncated, corrupted (checksum), not a state, or from a newer format version.</exception>
    public static IteratorState FromBytes(ReadOnlySpan<byte> bytes) => Read(bytes, depth: 0);

    /// <summary>Reads a state from the text <see cref="ToString"/> gave.</summary>
    /// <param name="text">The base64 text.</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException">The text is not base64, or its bytes are not a valid state.</exception>
    public static IteratorState Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException error)
        {
            throw new FormatException($"The iterator state '{Shorten(text)}' is not base64 text: {error.Message}", error);
        }

        return FromBytes(bytes);
    }

    /// <summary>Gets the token as base64 text, printable in logs; <see cref="Parse"/> reads it back.</summary>
    /// <returns>The base64 of <see cref="ToBytes"/>.</returns>
    public override string ToString() => Convert.ToBase64String(ToBytes());

    /// <summary>Checks that this state was saved by an iterator like <paramref name="iterator"/>; throws naming what differs.</summary>
    /// <exception cref="ArgumentException">The kind, data set, batch size, last-batch policy, shuffle, seed or other stream-changing options differ.</exception>
    internal void CheckMatches(DataIter iterator, IteratorKind kind, ulong dataFingerprint, ulong optionsFingerprint, LastBatchHandle handle, bool shuffle, long seed, string optionsNamed)
    {
        string name = iterator.GetType().Name;
        if (Kind != kind) throw Mismatch($"it was saved by a {Kind} iterator, not a {kind} ({name})");
        if (DataFingerprint != dataFingerprint) throw Mismatch($"it was saved over another data set (fingerprint {DataFingerprint:x16}; this {name}'s data has {dataFingerprint:x16})");
        if (BatchSize != iterator.BatchSize) throw Mismatch($"it was saved with batch size {BatchSize}; this {name} has {iterator.BatchSize}");
        if (Handle != handle) throw Mismatch($"it was saved with last-batch handle {Handle}; this {name} has {handle}");
        if (Shuffle != shuffle) throw Mismatch($"it was saved with shuffle {(Shuffle ? "on" : "off")}; this {name} has it {(shuffle ? "on" : "off")}");
        if (Seed != seed) throw Mismatch(string.Create(CultureInfo.InvariantCulture, $"it was saved with seed {Seed}; this {name} has {seed}"));
        if (OptionsFingerprint != optionsFingerprint) throw Mismatch($"options that change the stream differ ({optionsNamed}) from the {name} that saved it");
    }

    /// <summary>The error for a state whose position cannot exist in the iterator it is restored into.</summary>
    internal static ArgumentException BadPosition(DataIter iterator, string why, string paramName = "state") =>
        new($"The iterator state does not fit this {iterator.GetType().Name}: {why}.", paramName);

    private static ArgumentException Mismatch(string why, string paramName = "state") =>
        new($"The iterator state cannot be restored here: {why}.", paramName);

    private int EncodedLength()
    {
        int length = HeaderSize + (8 * _cursors.Length);
        foreach (IteratorState inner in _inner) length += 2 + inner.EncodedLength();
        return length + ChecksumSize;
    }

    private int Write(Span<byte> destination)
    {
        int length = EncodedLength();
        Span<byte> span = destination[..length];
        BinaryPrimitives.WriteUInt16LittleEndian(span, Magic);
        span[2] = CurrentVersion;
        span[3] = (byte)Kind;
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)length);
        span[6] = (byte)((Ended ? 1 : 0) | (Shuffle ? 2 : 0));
        span[7] = (byte)Handle;
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], BatchSize);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], Epoch);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], BatchesInEpoch);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], Carried);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], Seed);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], DataFingerprint);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], OptionsFingerprint);
        span[48] = (byte)_cursors.Length;
        int at = HeaderSize;
        foreach (long cursor in _cursors)
        {
            BinaryPrimitives.WriteInt64LittleEndian(span[at..], cursor);
            at += 8;
        }

        foreach (IteratorState inner in _inner)
        {
            int written = inner.Write(span[(at + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span[at..], (ushort)written);
            at += 2 + written;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], Checksum(span[..at]));
        return length;
    }

    private static IteratorState Read(ReadOnlySpan<byte> bytes, int depth)
    {
        if (bytes.Length < 8) throw new FormatException($"The iterator state is truncated: {bytes.Length} bytes, fewer than its 8-byte header.");
        if (BinaryPrimitives.ReadUInt16LittleEndian(bytes) != Magic) throw new FormatException($"The {bytes.Length} bytes are not an iterator state (its first two bytes are 'PS'; these are 0x{bytes[0]:x2} 0x{bytes[1]:x2}).");
        int declared = BinaryPrimitives.ReadUInt16LittleEndian(bytes[4..]);
        if (bytes.Length < declared) throw new FormatException($"The iterator state is truncated: {bytes.Length} of its {declared} bytes.");
        if (bytes.Length > declared) throw new FormatException($"The iterator state is corrupted: {bytes.Length} bytes, but it declares {declared}.");
        if (declared < 8 + ChecksumSize) throw new FormatException($"The iterator state is corrupted: it declares {declared} bytes, fewer than a state takes.");
        uint expected = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(declared - ChecksumSize)..]);
        uint actual = Checksum(bytes[..(declared - ChecksumSize)]);
        if (expected != actual) throw new FormatException($"The iterator state is corrupted: its checksum is 0x{expected:x8}, its bytes sum to 0x{actual:x8}.");
        byte version = bytes[2];
        if (version > CurrentVersion) throw new FormatException($"The iterator state has format version {version}, newer than this library reads ({CurrentVersion}); restore it with the version that saved it or a newer one.");
        if (version == 0 || declared < HeaderSize + ChecksumSize) throw new FormatException($"The iterator state is corrupted: format version {version} with {declared} bytes.");
        byte kind = bytes[3];
        if (!Enum.IsDefined((IteratorKind)kind)) throw new FormatException($"The iterator state names an unknown iterator kind {kind}.");
        byte handle = bytes[7];
        if (!Enum.IsDefined((LastBatchHandle)handle)) throw new FormatException($"The iterator state names an unknown last-batch handle {handle}.");
        int batchSize = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        int epoch = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        int batches = BinaryPrimitives.ReadInt32LittleEndian(bytes[16..]);
        int carried = BinaryPrimitives.ReadInt32LittleEndian(bytes[20..]);
        if (batchSize < 0 || epoch < 0 || batches < 0 || carried < 0 || (batchSize > 0 && carried >= batchSize))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"The iterator state is corrupted: batch size {batchSize}, epoch {epoch}, batch {batches}, carried {carried}."));
        }

        int end = declared - ChecksumSize;
        int cursorCount = bytes[48];
        if (cursorCount > MaxCursors || HeaderSize + (8 * cursorCount) > end) throw new FormatException($"The iterator state is corrupted: it declares {cursorCount} source positions in {declared} bytes.");
        long[] cursors = new long[cursorCount];
        int at = HeaderSize;
        for (int i = 0; i < cursorCount; i++, at += 8) cursors[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[at..]);
        var inner = new List<IteratorState>();
        while (at < end)
        {
            if (depth > 8) throw new FormatException("The iterator state nests more than 8 levels of iterators.");
            if (end - at < 2) throw new FormatException($"The iterator state is corrupted: an inner state's length is cut at byte {at}.");
            int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);
            if (length > end - at - 2) throw new FormatException($"The iterator state is corrupted: the inner state at byte {at} declares {length} bytes, past the end.");
            inner.Add(Read(bytes.Slice(at + 2, length), depth + 1));
            at += 2 + length;
        }

        return new IteratorState(
            (IteratorKind)kind,
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[40..]),
            batchSize,
            (LastBatchHandle)handle,
            (bytes[6] & 2) != 0,
            BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]),
            epoch,
            batches,
            carried,
            (bytes[6] & 1) != 0,
            cursors,
            inner);
    }

    // FNV-1a: enough to tell a damaged token from a good one; it is no defence against forgery.
    private static uint Checksum(ReadOnlySpan<byte> bytes)
    {
        uint hash = 2166136261;
        foreach (byte b in bytes) hash = (hash ^ b) * 16777619;
        return hash;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 37), "...");
}
