using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>Batches of MNIST-format images and labels (IDX files), as MXNet's <c>mx.io.MNISTIter</c>.</summary>
/// <remarks>
/// <para>Both files are loaded at construction. Pixels become float32 <c>byte / 256</c> (MXNet's scale, so the
/// largest value is 0.99609375); labels become float32. The trailing partial batch is dropped (MXNet's
/// behaviour), so every batch has pad 0.</para>
/// <para>Differences from MXNet: the magic numbers, the sizes and the image/label counts are checked (a
/// <see cref="DataFormatException"/> names the file); gzip-compressed files are read as they are; with
/// <see cref="MnistIterOptions.Shuffle"/> every epoch gets its own order derived from (seed, epoch), where
/// MXNet shuffles once.</para>
/// </remarks>
public sealed class MnistIter : DataIter
{
    private readonly NDArrayIter _inner;

    /// <summary>Loads the files and starts preparing batches.</summary>
    /// <param name="options">The options.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DataFormatException">A file is not a valid IDX file, or the counts disagree.</exception>
    public MnistIter(MnistIterOptions options)
        : this(Load(options))
    {
    }

    private MnistIter((NDArrayIter Iter, int NumImages) loaded)
        : base(loaded.Iter.BatchSize)
    {
        _inner = loaded.Iter;
        ReportsEpochRestarts();
        NumImages = loaded.NumImages;
    }

    /// <summary>Gets the number of images in this part.</summary>
    public int NumImages { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData => _inner.ProvideData;

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel => _inner.ProvideLabel;

    /// <inheritdoc />
    public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default) => _inner.NextAsync(cancellationToken);

    /// <inheritdoc />
    public override void Reset()
    {
        EpochRestarted();
        _inner.Reset();
    }

    /// <inheritdoc />
    public override int? BatchesPerEpoch => _inner.BatchesPerEpoch;

    /// <inheritdoc />
    public override IteratorState SaveState() => _inner.SaveState();

    /// <inheritdoc />
    public override void RestoreState(IteratorState state)
    {
        _inner.RestoreState(state);
        EpochRestarted();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private static (NDArrayIter Iter, int NumImages) Load(MnistIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Core.Storage.StorageOptions storage = options.Storage ?? Core.Storage.StorageOptions.Default;
        OptionFiles.Require(options.Image, nameof(options.Image));
        OptionFiles.Require(options.Label, nameof(options.Label));
        (int imageCount, int[] dims, byte[] pixels) = MnistFile.Read(options.Image, MnistFile.ImageMagic, storage);
        (int labelCount, _, byte[] labelBytes) = MnistFile.Read(options.Label, MnistFile.LabelMagic, storage);
        if (imageCount != labelCount)
        {
            throw new DataFormatException(
                string.Create(CultureInfo.InvariantCulture, $"'{options.Image}' holds {imageCount} images but '{options.Label}' holds {labelCount} labels."),
                options.Label,
                lineNumber: null);
        }

        // MXNet computes the part bounds in double precision: [floor(n/parts*i), floor(n/parts*(i+1))).
        int begin = (int)Math.Floor((double)imageCount / options.NumParts * options.PartIndex);
        int end = (int)Math.Floor((double)imageCount / options.NumParts * (options.PartIndex + 1));
        int count = end - begin;
        if (count == 0) throw new ArgumentException($"Part {options.PartIndex} of {options.NumParts} of '{options.Image}' holds no images.", nameof(options));
        int imageSize = dims[0] * dims[1];
        NDArray images = NDArray.Empty(DType.Float32, options.Flat ? [count, imageSize] : [count, 1, dims[0], dims[1]]);
        Span<float> target = images.AsSpan<float>();
        ReadOnlySpan<byte> source = pixels.AsSpan(begin * imageSize, count * imageSize);
        for (int i = 0; i < source.Length; i++) target[i] = source[i] / 256f;
        NDArray labels = NDArray.Empty(DType.Float32, count);
        Span<float> labelValues = labels.AsSpan<float>();
        for (int i = 0; i < count; i++) labelValues[i] = labelBytes[begin + i];

        var iter = new NDArrayIter(
            new Dictionary<string, NDArray> { [options.DataName] = images },
            new Dictionary<string, NDArray> { [options.LabelName] = labels },
            options.BatchSize,
            options.Shuffle,
            LastBatchHandle.Discard,
            options.Seed,
            options.PrefetchBuffer) { OwnsArrays = true, StateKind = IteratorKind.Mnist };
        iter.Telemetry.Iterator = nameof(MnistIter);
        iter.Telemetry.Logger = options.Logger;
        return (iter, count);
    }
}
