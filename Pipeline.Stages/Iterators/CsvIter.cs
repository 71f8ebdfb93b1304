using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Core.Storage;
using Pipeline.Stages.Dataflow;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>Streams batches out of CSV files, as MXNet's <c>mx.io.CSVIter</c>: one row per example, shape given, not inferred.</summary>
/// <remarks>
/// <para>Parsing runs on its own thread ahead of batching, with System.IO.Pipelines, so files larger than memory
/// work and memory stays bounded by <see cref="CsvIterOptions.PrefetchBuffer"/>.</para>
/// <para>Differences from MXNet (decisions 2 and 5 in <c>docs/architecture.md</c>): every epoch, including after <see cref="Reset"/>,
/// starts at the first row; the last batch wraps to the first rows (or, with <c>RoundBatch = false</c>, is
/// filled with zeros, never stale rows); a row with the wrong number of values, an unparsable value, or a
/// label file with fewer or more rows than the data file is a <see cref="DataFormatException"/> naming the
/// file and line (and column).</para>
/// </remarks>
public sealed class CsvIter : DataIter
{
    private readonly CsvIterOptions _options;
    private readonly string[] _dataFiles;
    private readonly StorageOptions _storage;
    private readonly string[] _labelFiles;
    private readonly int _dataValues;
    private readonly int _labelValues;
    private readonly BatchAssembler _assembler;
    private readonly EpochRunner _epochs;

    /// <summary>Initializes the iterator and starts reading ahead.</summary>
    /// <param name="options">The options; a snapshot is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">A CSV file or folder does not exist.</exception>
    public CsvIter(CsvIterOptions options)
        : base(CheckedBatchSize(options))
    {
        _options = options with { DataShape = [.. options.DataShape], LabelShape = [.. options.LabelShape] };
        _dataFiles = ResolveFiles(options.DataCsv, nameof(options.DataCsv));
        _labelFiles = options.HasLabelFile ? ResolveFiles(options.LabelCsv!, nameof(options.LabelCsv)) : [];
        _storage = options.Storage ?? StorageOptions.Default;
        _dataValues = Product(_options.DataShape);
        _labelValues = options.HasLabelFile ? Product(_options.LabelShape) : 1;
        int[] labelShape = !options.HasLabelFile || _options.LabelShape is [1] ? [options.BatchSize] : [options.BatchSize, .. _options.LabelShape];
        ProvideData = [new DataDesc(options.DataName, [options.BatchSize, .. _options.DataShape], options.DType)];
        ProvideLabel = [new DataDesc(options.LabelName, labelShape, options.DType)];
        _assembler = new BatchAssembler(ProvideData, ProvideLabel, LastBatchHandle.Pad) { ZeroFillPad = !options.RoundBatch };
        _epochs = new EpochRunner(this, StartEpoch, OnReset, _assembler.Dispose);
        _epochs.Start();
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default) => _epochs.NextAsync(cancellationToken);

    /// <inheritdoc />
    public override void Reset() => _epochs.Reset();

    private EpochGraph StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        IPropagatorBlock<EpochMessage<CsvChunk>, DataBatch> batch = BatchBlock.Create<CsvChunk>(_assembler, WriteChunk, boundedCapacity: 2, cancellationToken);
        Task producer = EpochProducer.Start(batch, ReadChunksAsync(cancellationToken), cancellationToken);
        return new EpochGraph(PrefetchBlock.Append(batch, _options.PrefetchBuffer), producer);
    }

    private void OnReset(bool epochEnded) => _assembler.Reset();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _epochs.Dispose();
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override async ValueTask DisposeAsyncCore()
    {
        await _epochs.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsyncCore().ConfigureAwait(false);
    }

    private static int CheckedBatchSize(CsvIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.BatchSize;
    }

    private static int Product(int[] shape)
    {
        long product = 1;
        foreach (int length in shape) product *= length;
        return checked((int)product);
    }

    private static string[] ResolveFiles(string spec, string option)
    {
        var files = new List<string>();
        foreach (string part in spec.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ObjectStorage.IsUri(part) && !ObjectStorage.TryGetLocalPath(part, out _))
            {
                // A remote file: opened (and its existence checked) when the epoch reads it.
                files.Add(part);
            }
            else if (Directory.Exists(part))
            {
                string[] inside = Directory.GetFiles(part);
                Array.Sort(inside, StringComparer.Ordinal);
                files.AddRange(inside.Where(f => new FileInfo(f).Length > 0));
            }
            else if (File.Exists(part))
            {
                files.Add(part);
            }
            else
            {
                throw new FileNotFoundException($"{option}: '{part}' does not exist.", part);
            }
        }

        if (files.Count == 0) throw new ArgumentException($"{option} '{spec}' names no non-empty file.", option);
        return [.. files];
    }

    private static DataBatch? WriteChunk(CsvChunk chunk, BatchAssembler assembler)
    {
        DataBatch? filled = null;
        try
        {
            int dataRow = assembler.DataRowBytes[0];
            int labelRow = assembler.LabelRowBytes[0];
            int done = 0;
            while (done < chunk.Rows)
            {
                int take = Math.Min(assembler.FreeSlots, chunk.Rows - done);
                chunk.Data.AsSpan(done * dataRow, take * dataRow).CopyTo(assembler.DataSlots(0, take));
                if (chunk.Label is null)
                {
                    assembler.LabelSlots(0, take).Clear();
                }
                else
                {
                    chunk.Label.AsSpan(done * labelRow, take * labelRow).CopyTo(assembler.LabelSlots(0, take));
                }

                Span<long> index = assembler.IndexSlots(take);
                for (int i = 0; i < take; i++) index[i] = chunk.FirstRow + done + i;
                done += take;
                filled = BatchBlock.KeepOne(filled, assembler.Commit(take));
            }

            return filled;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk.Data);
            if (chunk.Label is not null) ArrayPool<byte>.Shared.Return(chunk.Label);
        }
    }

    private async IAsyncEnumerable<CsvChunk> ReadChunksAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int elementSize = _options.DType.SizeInBytes();
        int dataRowBytes = _dataValues * elementSize;
        int labelRowBytes = _labelValues * elementSize;
        int chunkRows = Math.Clamp((1 << 16) / Math.Max(1, dataRowBytes), 1, BatchSize);
        var data = new CsvRowReader(_dataFiles, _dataValues, _options.DType, DataDesc.FormatTuple(_options.DataShape), _storage);
        CsvRowReader? label = _labelFiles.Length == 0 ? null : new CsvRowReader(_labelFiles, _labelValues, _options.DType, DataDesc.FormatTuple(_options.LabelShape), _storage);
        try
        {
            long row = 0;
            bool dataEnded = false;
            while (!dataEnded)
            {
                byte[] dataBuffer = ArrayPool<byte>.Shared.Rent(chunkRows * dataRowBytes);
                byte[]? labelBuffer = label is null ? null : ArrayPool<byte>.Shared.Rent(chunkRows * labelRowBytes);
                int rows = 0;
                while (rows < chunkRows)
                {
                    CsvReadStatus status = data.TryReadRow(dataBuffer.AsSpan(rows * dataRowBytes, dataRowBytes));
                    if (status == CsvReadStatus.NeedMoreData)
                    {
                        await data.FillAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (status == CsvReadStatus.End)
                    {
                        dataEnded = true;
                        break;
                    }

                    if (label is not null)
                    {
                        while ((status = label.TryReadRow(labelBuffer.AsSpan(rows * labelRowBytes, labelRowBytes))) == CsvReadStatus.NeedMoreData)
                        {
                            await label.FillAsync(cancellationToken).ConfigureAwait(false);
                        }

                        if (status == CsvReadStatus.End)
                        {
                            throw new DataFormatException(
                                string.Create(CultureInfo.InvariantCulture, $"The label CSV '{_options.LabelCsv}' has {row + rows} rows, fewer than the data CSV '{data.CurrentFile}' (which has a row at line {data.Line})."),
                                data.CurrentFile,
                                lineNumber: data.Line);
                        }
                    }

                    rows++;
                }

                if (rows == 0)
                {
                    ArrayPool<byte>.Shared.Return(dataBuffer);
                    if (labelBuffer is not null) ArrayPool<byte>.Shared.Return(labelBuffer);
                    break;
                }

                yield return new CsvChunk(dataBuffer, labelBuffer, rows, row);
                row += rows;
            }

            if (label is not null)
            {
                byte[] extra = new byte[labelRowBytes];
                CsvReadStatus status;
                while ((status = label.TryReadRow(extra)) == CsvReadStatus.NeedMoreData)
                {
                    await label.FillAsync(cancellationToken).ConfigureAwait(false);
                }

                if (status == CsvReadStatus.Row)
                {
                    throw new DataFormatException(
                        string.Create(CultureInfo.InvariantCulture, $"The label CSV '{label.CurrentFile}' has more rows than the data CSV '{_options.DataCsv}' ({row}); the first extra one is line {label.Line}."),
                        label.CurrentFile,
                        lineNumber: label.Line);
                }
            }
        }
        finally
        {
            await data.DisposeAsync().ConfigureAwait(false);
            if (label is not null) await label.DisposeAsync().ConfigureAwait(false);
        }
    }
}
