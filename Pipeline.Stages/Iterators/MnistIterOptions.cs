using Microsoft.Extensions.Logging;
using Pipeline.Core.Storage;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>The options of <see cref="MnistIter"/>, named after MXNet's <c>MNISTIter</c> parameters.</summary>
/// <remarks>
/// Defaults as MXNet: <see cref="Image"/> <c>./train-images-idx3-ubyte</c>, <see cref="Label"/>
/// <c>./train-labels-idx1-ubyte</c>, <see cref="BatchSize"/> 128, <see cref="Shuffle"/> <see langword="true"/>,
/// <see cref="Flat"/> <see langword="false"/>, <see cref="Seed"/> 0, one part.
/// </remarks>
public sealed record MnistIterOptions
{
    /// <summary>Gets the IDX image file (<c>idx3-ubyte</c>), optionally gzip-compressed.</summary>
    public string Image { get; init; } = "./train-images-idx3-ubyte";

    /// <summary>Gets the IDX label file (<c>idx1-ubyte</c>), optionally gzip-compressed.</summary>
    public string Label { get; init; } = "./train-labels-idx1-ubyte";

    /// <summary>Gets how remote paths (<c>s3://</c>, <c>http(s)://</c>) are read: timeouts, retries, read-ahead, S3 endpoint and credentials; <see langword="null"/> for <see cref="StorageOptions.Default"/> (the AWS environment).</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets the examples per batch.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Gets whether each epoch visits the images in a new order derived from <see cref="Seed"/> and the epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Gets whether images come out as rows of <c>rows*cols</c> values (<c>(B, 784)</c>) rather than <c>(B, 1, rows, cols)</c>.</summary>
    public bool Flat { get; init; }

    /// <summary>Gets the shuffle seed.</summary>
    public int Seed { get; init; }

    /// <summary>Gets the number of parts the data is split into (one per worker).</summary>
    public int NumParts { get; init; } = 1;

    /// <summary>Gets the part this iterator reads.</summary>
    public int PartIndex { get; init; }

    /// <summary>Gets how many batches are prepared ahead.</summary>
    public int PrefetchBuffer { get; init; } = 4;

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input.</summary>
    public string LabelName { get; init; } = "softmax_label";

    /// <summary>Gets where the iterator writes warnings (once: a batch dropped without <c>Dispose()</c>, whose buffers then never return to the pool).</summary>
    /// <remarks>Default <see langword="null"/>: silent. Not part of the options a saved state compares.</remarks>
    public ILogger? Logger { get; init; }

    /// <summary>Checks every option without touching any file, so a configuration can be checked before anything is built; the constructors call it.</summary>
    /// <exception cref="ArgumentException">An option is missing, out of range or contradicts another; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(Image, nameof(Image));
        Storage?.Validate();
        ArgumentException.ThrowIfNullOrEmpty(Label, nameof(Label));
        OptionChecks.Positive(BatchSize, nameof(BatchSize));
        OptionChecks.Part(PartIndex, NumParts);
        OptionChecks.Positive(PrefetchBuffer, nameof(PrefetchBuffer));
    }
}
