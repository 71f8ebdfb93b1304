using System.Buffers;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>One encoded image on its way from an <see cref="ImageRecordSource"/> to the decode stage.</summary>
/// <remarks>The pipeline disposes it once decoded; a record whose bytes the library rented goes back to the pool then.</remarks>
public sealed class RawImageRecord : IDisposable
{
    private byte[]? _rented;

    /// <summary>Initializes a record over bytes the caller keeps alive until the record is disposed.</summary>
    /// <param name="ordinal">The position in the epoch's order (0, 1, ...); augmentation randomness derives from it.</param>
    /// <param name="data">The encoded image.</param>
    /// <param name="label">The label vector.</param>
    /// <param name="id">The record's id (the header's <c>id</c>, the list index, or the position).</param>
    /// <param name="source">Where it came from, for error messages: file and offset, index key, or image path.</param>
    /// <exception cref="ArgumentNullException"><paramref name="label"/> or <paramref name="source"/> is null.</exception>
    public RawImageRecord(long ordinal, ReadOnlyMemory<byte> data, float[] label, ulong id, string source)
    {
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(source);
        Ordinal = ordinal;
        Data = data;
        Label = label;
        Id = id;
        Source = source;
    }

    private RawImageRecord(long ordinal, byte[] rented, int length, float[] label, ulong id, string source)
        : this(ordinal, rented.AsMemory(0, length), label, id, source)
    {
        _rented = rented;
    }

    /// <summary>Gets the position in the epoch's order (0, 1, ...).</summary>
    public long Ordinal { get; internal set; }

    /// <summary>Gets or sets where the source stands after this record (a seekable source sets it; a state resumes there).</summary>
    internal SourcePosition? Next { get; set; }

    /// <summary>Gets or sets the epoch whose randomness the record uses when it is not the running one (a roll-over carry rebuilt on restore).</summary>
    internal int? Epoch { get; set; }

    /// <summary>Gets or sets whether the record is one of the epoch's first again, padding a resumed epoch's last batch.</summary>
    internal bool IsFiller { get; set; }

    /// <summary>Gets the encoded image.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Gets the label vector.</summary>
    public float[] Label { get; }

    /// <summary>Gets the record's id.</summary>
    public ulong Id { get; }

    /// <summary>Gets where the record came from, for error messages.</summary>
    public string Source { get; }

    /// <summary>Returns rented bytes to the pool; the record's <see cref="Data"/> must not be used afterwards.</summary>
    public void Dispose()
    {
        byte[]? rented = Interlocked.Exchange(ref _rented, null);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
    }

    /// <summary>Copies an encoded image into a buffer rented from the shared pool, returned by <see cref="Dispose"/>.</summary>
    internal static RawImageRecord Rent(long ordinal, ReadOnlySpan<byte> data, float[] label, ulong id, string source)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(buffer);
        return new RawImageRecord(ordinal, buffer, data.Length, label, id, source);
    }
}
