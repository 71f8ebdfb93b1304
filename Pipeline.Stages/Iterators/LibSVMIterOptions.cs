using Pipeline.Core;
using Pipeline.Core.Storage;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>The options of <see cref="LibSVMIter"/>, named after MXNet's <c>LibSVMIter</c> parameters.</summary>
/// <remarks>
/// Defaults: <see cref="LabelShape"/> <c>[1]</c>, <see cref="RoundBatch"/> <see langword="true"/>, <see cref="NumParts"/> 1,
/// <see cref="PartIndex"/> 0, <see cref="PrefetchBuffer"/> 4, names <c>data</c> and <c>softmax_label</c>. Values are float32
/// and column indices int64, as in MXNet.
/// </remarks>
public sealed record LibSVMIterOptions
{
    /// <summary>Gets the data file in libsvm format with zero-based indices (<c>label[:weight] index:value ...</c>): a file, a folder (its non-empty files, in ordinal name order) or a <c>;</c>-separated list.</summary>
    public required string DataLibsvm { get; init; }

    /// <summary>Gets the shape of one example: one axis, the number of columns.</summary>
    public required int[] DataShape { get; init; }

    /// <summary>Gets a label file in the same format, read in lockstep (its rows are the labels, as CSR rows; its own label column is ignored); <see langword="null"/> or <c>"NULL"</c> to take each row's label from the data file.</summary>
    public string? LabelLibsvm { get; init; }

    /// <summary>Gets the shape of one label: <c>[1]</c> (the default, a dense label per row) without a label file, more than one value with one.</summary>
    public int[] LabelShape { get; init; } = [1];

    /// <summary>Gets the examples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets whether the last batch wraps to the first rows of the part (<see langword="true"/>, the default); otherwise its filler rows are empty (all zeros). Either way <see cref="DataBatch.Pad"/> counts them.</summary>
    public bool RoundBatch { get; init; } = true;

    /// <summary>Gets the number of parts the data is split into (dmlc-core's byte-range split of the files, each line going to the part its start falls in).</summary>
    public int NumParts { get; init; } = 1;

    /// <summary>Gets the part this iterator reads, from 0 to <see cref="NumParts"/> - 1.</summary>
    public int PartIndex { get; init; }

    /// <summary>Gets how many batches are prepared ahead.</summary>
    public int PrefetchBuffer { get; init; } = 4;

    /// <summary>Gets how remote paths (<c>s3://</c>, <c>http(s)://</c>) are read; <see langword="null"/> for <see cref="StorageOptions.Default"/>.</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input.</summary>
    public string LabelName { get; init; } = "softmax_label";

    internal bool HasLabelFile => LabelLibsvm is not null && LabelLibsvm != "NULL";

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid or contradicts another; the message names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A number is out of range; the message names the option.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(DataLibsvm, nameof(DataLibsvm));
        Storage?.Validate();
        if (DataShape is not [> 0])
        {
            throw new ArgumentException($"DataShape must have exactly one positive axis (the number of columns); got {(DataShape is null ? "null" : DataDesc.FormatTuple(DataShape))}.", nameof(DataShape));
        }

        if (LabelShape is not [> 0])
        {
            throw new ArgumentException($"LabelShape must have exactly one positive axis; got {(LabelShape is null ? "null" : DataDesc.FormatTuple(LabelShape))}.", nameof(LabelShape));
        }

        if (HasLabelFile && LabelShape[0] == 1) throw new ArgumentException("LabelShape must hold more than one value when LabelLibsvm is set (MXNet's rule); the labels are then CSR rows.", nameof(LabelShape));
        if (!HasLabelFile && LabelShape[0] != 1) throw new ArgumentException($"LabelShape must be (1,) without LabelLibsvm; got {DataDesc.FormatTuple(LabelShape)}.", nameof(LabelShape));
        OptionChecks.Positive(BatchSize, nameof(BatchSize));
        OptionChecks.Positive(PrefetchBuffer, nameof(PrefetchBuffer));
        OptionChecks.Part(PartIndex, NumParts);

        // dmlc-core splits each file by bytes on its own, so the parts of a data file and a label file would not hold the same rows.
        if (HasLabelFile && NumParts > 1) throw new ArgumentException("NumParts > 1 cannot be combined with LabelLibsvm: the two files would be split at different rows; put the labels in the data file instead.", nameof(NumParts));
        ArgumentException.ThrowIfNullOrEmpty(DataName, nameof(DataName));
        ArgumentException.ThrowIfNullOrEmpty(LabelName, nameof(LabelName));
    }
}
