using Microsoft.Extensions.Logging;
using Pipeline.Core;
using Pipeline.Core.Storage;

namespace Pipeline.Stages.Iterators;

/// <summary>The options of <see cref="CsvIter"/>, named after MXNet's <c>CSVIter</c> parameters.</summary>
/// <remarks>
/// Defaults: <see cref="LabelShape"/> <c>[1]</c>, <see cref="RoundBatch"/> <see langword="true"/>,
/// <see cref="DType"/> float32, <see cref="PrefetchBuffer"/> 4, names <c>data</c> and <c>softmax_label</c>.
/// </remarks>
public sealed record CsvIterOptions
{
    /// <summary>Gets the data CSV: a file, a folder (its non-empty files, in ordinal name order) or a <c>;</c>-separated list of files.</summary>
    public required string DataCsv { get; init; }

    /// <summary>Gets the shape of one example; each row holds exactly its product of values, in row-major order.</summary>
    public required int[] DataShape { get; init; }

    /// <summary>Gets the label CSV (same forms as <see cref="DataCsv"/>), read in lockstep with the data; <see langword="null"/> or <c>"NULL"</c> for none (labels are then zeros).</summary>
    public string? LabelCsv { get; init; }

    /// <summary>Gets how remote paths (<c>s3://</c>, <c>http(s)://</c>) are read: timeouts, retries, read-ahead, S3 endpoint and credentials; <see langword="null"/> for <see cref="StorageOptions.Default"/> (the AWS environment).</summary>
    public StorageOptions? Storage { get; init; }

    /// <summary>Gets the shape of one label (default <c>[1]</c>, giving a batch label of shape <c>(B,)</c>).</summary>
    public int[] LabelShape { get; init; } = [1];

    /// <summary>Gets the examples per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Gets whether the last batch wraps to the start of the data (<see langword="true"/>, the default); otherwise its filler rows are zeros. Either way <see cref="DataBatch.Pad"/> counts them.</summary>
    public bool RoundBatch { get; init; } = true;

    /// <summary>Gets the element type of data and labels: float32, int32 or int64.</summary>
    public DType DType { get; init; } = DType.Float32;

    /// <summary>Gets how many batches are prepared ahead.</summary>
    public int PrefetchBuffer { get; init; } = 4;

    /// <summary>Gets the name of the data input.</summary>
    public string DataName { get; init; } = "data";

    /// <summary>Gets the name of the label input.</summary>
    public string LabelName { get; init; } = "softmax_label";

    /// <summary>Gets where the iterator writes warnings (once: a batch dropped without <c>Dispose()</c>, whose buffers then never return to the pool).</summary>
    /// <remarks>Default <see langword="null"/>: silent. Not part of the options a saved state compares.</remarks>
    public ILogger? Logger { get; init; }

    internal bool HasLabelFile => LabelCsv is not null && LabelCsv != "NULL";

    /// <summary>Checks every option without touching any file, so a configuration can be checked before anything is built; the constructors call it.</summary>
    /// <exception cref="ArgumentException">An option is missing, out of range or contradicts another; the message and <see cref="ArgumentException.ParamName"/> name it.</exception>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrEmpty(DataCsv, nameof(DataCsv));
        Storage?.Validate();
        CheckShape(DataShape, nameof(DataShape));
        CheckShape(LabelShape, nameof(LabelShape));
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be positive.");
        if (PrefetchBuffer <= 0) throw new ArgumentOutOfRangeException(nameof(PrefetchBuffer), PrefetchBuffer, "PrefetchBuffer must be positive.");
        if (DType is not (DType.Float32 or DType.Int32 or DType.Int64))
        {
            throw new ArgumentOutOfRangeException(nameof(DType), DType, $"{DType.ToNumPyName()} is not supported for CsvIter; use float32, int32 or int64.");
        }

        ArgumentException.ThrowIfNullOrEmpty(DataName, nameof(DataName));
        ArgumentException.ThrowIfNullOrEmpty(LabelName, nameof(LabelName));
    }

    private static void CheckShape(int[] shape, string name)
    {
        if (shape is null || shape.Length == 0 || Array.Exists(shape, d => d <= 0))
        {
            throw new ArgumentException($"{name} must be a non-empty shape of positive lengths; got {(shape is null ? "null" : DataDesc.FormatTuple(shape))}.", name);
        }
    }
}
