using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.Batching;
using Pipeline.Core.Diagnostics;
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
    private CsvResumePoint? _position;
    private ulong? _dataFingerprint;

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
        _assembler = new BatchAssembler(ProvideData, ProvideLabel, LastBatchHandle.Pad) { ZeroFillPad = !options.RoundBatch, Telemetry = new IteratorTelemetry(nameof(CsvIter), options.Logger) };
        _epochs = new EpochRunner(this, StartEpoch, OnReset, _assembler.Dispose);
        _epochs.Start();
    }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideData { get; }

    /// <inheritdoc />
    public override IReadOnlyList<DataDesc> ProvideLabel { get; }

    /// <inheritdoc />
    public override async ValueTask<DataBatch?> NextAsync(CancellationToken cancellationToken = default)
    {
        DataBatch? batch = await _epochs.NextAsync(cancellationToken).ConfigureAwait(false);

        // A batch without a position is the padded last one: past it, the files are read to their end.
        if (batch is not null) _position = batch.ResumeCursor as CsvResumePoint ?? EndOfFiles();
        return batch;
    }

    /// <inheritdoc />
    /// <remarks>Always <see langword="null"/>: the files are streamed and their row count is found only by reading them (as MXNet's <c>CSVIter</c>).</remarks>
    public override int? BatchesPerEpoch => null;

    /// <inheritdoc />
    public override void Reset()
    {
        _position = null;
        _epochs.Reset();
    }

    /// <inheritdoc />
    /// <remarks>The position is the byte offset in the data file (and in the label file) after the last row returned.</remarks>
    public override IteratorState SaveState()
    {
        Span<long> cursors = stackalloc long[4];
        CsvResumePoint position = _position ?? new CsvResumePoint(default(CsvPosition), _labelFiles.Length == 0 ? null : default(CsvPosition));
        int count = CsvPosition.PackPair(position.Data, position.Label, cursors);
        return new IteratorState(
            IteratorKind.Csv, DataFingerprint(), OptionsFingerprint(), BatchSize, LastBatchHandle.Pad, shuffle: false, seed: 0,
            _epochs.Epoch, _epochs.Delivered, carried: 0, _epochs.EpochEnded, cursors[..count]);
    }

    /// <inheritdoc />
    /// <remarks>The reader seeks to the saved byte offsets; the rows before them are not read again.</remarks>
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.CheckMatches(this, IteratorKind.Csv, DataFingerprint(), OptionsFingerprint(), LastBatchHandle.Pad, shuffle: false, seed: 0, "data and label shapes, dtype, round_batch");
        (CsvPosition data, CsvPosition? label) = CsvPosition.UnpackPair(this, state, _dataFiles.Length, _labelFiles.Length);
        var position = new CsvResumePoint(data, label);
        _position = state.BatchesInEpoch == 0 ? null : position;
        _epochs.Restore(state.Epoch, state.BatchesInEpoch, state.Ended, _assembler.Reset);
    }

    private EpochGraph StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        // A restored epoch starts after the rows of its first StartBatch batches.
        CsvResumePoint? start = _epochs.StartBatch > 0 ? _position : null;
        long firstRow = (long)_epochs.StartBatch * BatchSize;
        IPropagatorBlock<EpochMessage<CsvChunk>, DataBatch> batch = BatchBlock.Create<CsvChunk>(_assembler, WriteChunk, boundedCapacity: 2, cancellationToken);
        Task producer = EpochProducer.Start(batch, ReadChunksAsync(start, firstRow, cancellationToken), cancellationToken);
        return new EpochGraph(PrefetchBlock.Append(batch, _options.PrefetchBuffer), producer);
    }

    private CsvResumePoint EndOfFiles() =>
        new(new CsvPosition(_dataFiles.Length, 0, 0, false), _labelFiles.Length == 0 ? null : new CsvPosition(_labelFiles.Length, 0, 0, false));

    private ulong OptionsFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(_options.DataShape);
        fingerprint.Add(_labelFiles.Length == 0 ? [] : _options.LabelShape);
        fingerprint.Add((long)_options.DType);
        fingerprint.Add(_options.RoundBatch ? 1 : 0);
        return fingerprint.Value;
    }

    private ulong DataFingerprint()
    {
        if (_dataFingerprint is { } known) return known;

        // Each file's name, length and first bytes: a changed or other file shows without reading it all.
        var fingerprint = new Fingerprint();
        byte[] head = new byte[4096];
        foreach (string file in _dataFiles.Concat(["|"]).Concat(_labelFiles))
        {
            fingerprint.Add(Path.GetFileName(file));
            if (file == "|") continue;
            using ByteSource source = ObjectStorage.OpenRead(file, _storage);
            fingerprint.Add(source.Length);
            fingerprint.Add(head.AsSpan(0, source.ReadAt(0, head.AsSpan(0, (int)Math.Min(head.Length, source.Length)))));
        }

        _dataFingerprint = fingerprint.Value;
        return fingerprint.Value;
    }

    private void OnReset(bool epochEnded)
    {
        _assembler.Reset();
        _position = null;
    }

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

    internal static string[] ResolveFiles(string spec, string option)
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
                filled = BatchBlock.KeepOne(filled, chunk.Filler ? assembler.CommitFiller(take) : assembler.Commit(take));
            }

            // Chunks end where batches end, so a batch's last row is its chunk's last.
            if (filled is not null && !chunk.Filler) filled.ResumeCursor = chunk.End;
            return filled;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk.Data);
            if (chunk.Label is not null) ArrayPool<byte>.Shared.Return(chunk.Label);
        }
    }

    private async IAsyncEnumerable<CsvChunk> ReadChunksAsync(CsvResumePoint? start, long firstRow, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int elementSize = _options.DType.SizeInBytes();
        int dataRowBytes = _dataValues * elementSize;
        int labelRowBytes = _labelValues * elementSize;
        int chunkRows = Math.Clamp((1 << 16) / Math.Max(1, dataRowBytes), 1, BatchSize);
        var data = new CsvRowReader(_dataFiles, _dataValues, _options.DType, DataDesc.FormatTuple(_options.DataShape), _storage);
        CsvRowReader? label = _labelFiles.Length == 0 ? null : new CsvRowReader(_labelFiles, _labelValues, _options.DType, DataDesc.FormatTuple(_options.LabelShape), _storage);
        if (start is not null)
        {
            data.StartAt(start.Data);
            if (start.Label is { } labelStart) label?.StartAt(labelStart);
        }

        try
        {
            long row = firstRow;
            bool dataEnded = false;
            while (!dataEnded)
            {
                byte[] dataBuffer = ArrayPool<byte>.Shared.Rent(chunkRows * dataRowBytes);
                byte[]? labelBuffer = label is null ? null : ArrayPool<byte>.Shared.Rent(chunkRows * labelRowBytes);
                int rows = 0;

                // A chunk never crosses a batch boundary, so every batch ends with a chunk whose end position is known.
                int chunkLimit = (int)Math.Min(chunkRows, BatchSize - (row % BatchSize));
                while (rows < chunkLimit)
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

                yield return new CsvChunk(dataBuffer, labelBuffer, rows, row, new CsvResumePoint(data.Position, label?.Position));
                row += rows;
            }

            // A resumed epoch never held its first batch, which round_batch pads from: read the filler rows here.
            int pad = (int)((BatchSize - (row % BatchSize)) % BatchSize);
            if (start is not null && _options.RoundBatch && pad > 0 && row > firstRow)
            {
                yield return await ReadFillerAsync(pad, dataRowBytes, labelRowBytes, cancellationToken).ConfigureAwait(false);
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

    private async Task<CsvChunk> ReadFillerAsync(int rows, int dataRowBytes, int labelRowBytes, CancellationToken cancellationToken)
    {
        var data = new CsvRowReader(_dataFiles, _dataValues, _options.DType, DataDesc.FormatTuple(_options.DataShape), _storage);
        CsvRowReader? label = _labelFiles.Length == 0 ? null : new CsvRowReader(_labelFiles, _labelValues, _options.DType, DataDesc.FormatTuple(_options.LabelShape), _storage);
        byte[] dataBuffer = ArrayPool<byte>.Shared.Rent(rows * dataRowBytes);
        byte[]? labelBuffer = label is null ? null : ArrayPool<byte>.Shared.Rent(rows * labelRowBytes);
        try
        {
            for (int i = 0; i < rows; i++)
            {
                await ReadRowAsync(data, new byte[dataRowBytes], dataBuffer, i * dataRowBytes, cancellationToken).ConfigureAwait(false);
                if (label is not null) await ReadRowAsync(label, new byte[labelRowBytes], labelBuffer!, i * labelRowBytes, cancellationToken).ConfigureAwait(false);
            }

            return new CsvChunk(dataBuffer, labelBuffer, rows, 0, EndOfFiles(), Filler: true);
        }
        finally
        {
            await data.DisposeAsync().ConfigureAwait(false);
            if (label is not null) await label.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task ReadRowAsync(CsvRowReader reader, byte[] row, byte[] target, int at, CancellationToken cancellationToken)
    {
        CsvReadStatus status;
        while ((status = reader.TryReadRow(row)) == CsvReadStatus.NeedMoreData) await reader.FillAsync(cancellationToken).ConfigureAwait(false);
        if (status != CsvReadStatus.Row) throw new InvalidOperationException($"'{reader.CurrentFile}' ended before the rows it held when the epoch was read.");
        row.CopyTo(target.AsSpan(at));
    }
}
