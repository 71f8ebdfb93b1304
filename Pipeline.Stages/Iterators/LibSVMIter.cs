using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.Storage;
using Pipeline.Stages.Dataflow;
using Pipeline.Stages.Iterators.Internal;

namespace Pipeline.Stages.Iterators;

/// <summary>Streams batches of sparse rows out of libsvm files, as MXNet's <c>mx.io.LibSVMIter</c>: each batch's data is a <see cref="CsrNDArray"/> in <see cref="DataBatch.SparseData"/>.</summary>
/// <remarks>
/// <para>Parsing runs on its own thread ahead of the consumer, reading the files in bounded pooled buffers, so files
/// larger than memory work. Labels are dense, shape (batch,), in <see cref="DataBatch.Label"/>; with a label file they
/// are CSR rows in <see cref="DataBatch.SparseLabel"/>. <see cref="DataIter.ProvideData"/> describes the CSR data
/// (batch, columns) and <see cref="DataIter.ProvideLabel"/> the label.</para>
/// <para>Differences from MXNet (decisions 2 and 5 in <c>docs/architecture.md</c>): every epoch, including after
/// <see cref="Reset"/>, starts at the part's first row (MXNet's reset after a wrapped batch is ignored and the next epoch
/// starts where the wrap stopped); the last batch wraps to the part's first rows, or with <c>RoundBatch = false</c> is
/// filled with empty rows (MXNet supports only <c>round_batch</c>); an index that is negative, out of range, unsorted or
/// repeated, and a label file with fewer or more rows than the data, are <see cref="DataFormatException"/>s naming the
/// file and line.</para>
/// </remarks>
public sealed class LibSVMIter : DataIter
{
    private readonly LibSVMIterOptions _options;
    private readonly string[] _dataFiles;
    private readonly long[] _dataLengths;
    private readonly string[] _labelFiles;
    private readonly long[] _labelLengths;
    private readonly StorageOptions _storage;
    private readonly CsvPosition _dataStart;
    private readonly CsvPosition _dataEnd;
    private readonly CsvPosition _labelEnd;
    private readonly EpochRunner _epochs;
    private LibSvmResumePoint? _position;
    private ulong? _dataFingerprint;

    /// <summary>Initializes the iterator and starts reading ahead.</summary>
    /// <param name="options">The options; a snapshot is kept.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    /// <exception cref="FileNotFoundException">A file or folder does not exist.</exception>
    public LibSVMIter(LibSVMIterOptions options)
        : base(CheckedBatchSize(options))
    {
        _options = options with { DataShape = [.. options.DataShape], LabelShape = [.. options.LabelShape] };
        _storage = options.Storage ?? StorageOptions.Default;
        _dataFiles = CsvIter.ResolveFiles(options.DataLibsvm, nameof(options.DataLibsvm));
        _labelFiles = options.HasLabelFile ? CsvIter.ResolveFiles(options.LabelLibsvm!, nameof(options.LabelLibsvm)) : [];
        _dataLengths = Lengths(_dataFiles, _storage);
        _labelLengths = Lengths(_labelFiles, _storage);
        (_dataStart, _dataEnd) = LibSvmReader.PartRange(_dataFiles, _dataLengths, options.PartIndex, options.NumParts, _storage);
        _labelEnd = new CsvPosition(_labelFiles.Length, 0, 0, false);
        ProvideData = [new DataDesc(options.DataName, [options.BatchSize, options.DataShape[0]])];
        ProvideLabel = [new DataDesc(options.LabelName, options.HasLabelFile ? [options.BatchSize, options.LabelShape[0]] : [options.BatchSize])];
        _epochs = new EpochRunner(this, StartEpoch, _ => _position = null);
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

        // A batch without a position is the padded last one: past it, the part is read to its end.
        if (batch is not null) _position = batch.ResumeCursor as LibSvmResumePoint ?? new LibSvmResumePoint(_dataEnd, _labelFiles.Length == 0 ? null : _labelEnd);
        return batch;
    }

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
        LibSvmResumePoint position = _position ?? new LibSvmResumePoint(_dataStart, _labelFiles.Length == 0 ? null : default(CsvPosition));
        int count = CsvPosition.PackPair(position.Data, position.Label, cursors);
        return new IteratorState(
            IteratorKind.LibSvm, DataFingerprint(), OptionsFingerprint(), BatchSize, LastBatchHandle.Pad, shuffle: false, seed: 0,
            _epochs.Epoch, _epochs.Delivered, carried: 0, _epochs.EpochEnded, cursors[..count]);
    }

    /// <inheritdoc />
    /// <remarks>The reader seeks to the saved byte offsets; the rows before them are not read again.</remarks>
    /// <exception cref="ObjectDisposedException">The iterator has been disposed.</exception>
    public override void RestoreState(IteratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.CheckMatches(this, IteratorKind.LibSvm, DataFingerprint(), OptionsFingerprint(), LastBatchHandle.Pad, shuffle: false, seed: 0, "shapes, round_batch, num_parts, part_index");
        (CsvPosition data, CsvPosition? label) = CsvPosition.UnpackPair(this, state, _dataFiles.Length, _labelFiles.Length);
        _position = state.BatchesInEpoch == 0 ? null : new LibSvmResumePoint(data, label);
        _epochs.Restore(state.Epoch, state.BatchesInEpoch, state.Ended, () => { });
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

    private static int CheckedBatchSize(LibSVMIterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.BatchSize;
    }

    private static long[] Lengths(string[] files, StorageOptions storage)
    {
        long[] lengths = new long[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            using ByteSource source = ObjectStorage.OpenRead(files[i], storage);
            lengths[i] = source.Length;
        }

        return lengths;
    }

    private EpochGraph StartEpoch(int epoch, CancellationToken cancellationToken)
    {
        LibSvmResumePoint? start = _epochs.StartBatch > 0 ? _position : null;
        BufferBlock<DataBatch> prefetch = PrefetchBlock.Create(_options.PrefetchBuffer);
        Task producer = PrefetchBlock.Fill(prefetch, ReadBatchesAsync(start, cancellationToken), cancellationToken);
        return new EpochGraph(prefetch, producer);
    }

    private LibSvmReader DataReader() => new(_dataFiles, _dataLengths, _dataStart, _dataEnd, _storage);

    private LibSvmReader? LabelReader() =>
        _labelFiles.Length == 0 ? null : new LibSvmReader(_labelFiles, _labelLengths, default, _labelEnd, _storage);

    private async IAsyncEnumerable<DataBatch> ReadBatchesAsync(LibSvmResumePoint? start, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using LibSvmReader data = DataReader();
        using LibSvmReader? label = LabelReader();
        if (start is not null)
        {
            data.StartAt(start.Data);
            if (start.Label is { } labelStart) label?.StartAt(labelStart);
        }

        using var rows = new LibSvmBatchBuilder(BatchSize, _options.DataShape[0]);
        using LibSvmBatchBuilder? labels = label is null ? null : new LibSvmBatchBuilder(BatchSize, _options.LabelShape[0]);
        long row = (long)_epochs.StartBatch * BatchSize;
        while (true)
        {
            if (!await data.ReadRowAsync(rows, labelsFromRow: label is null, cancellationToken).ConfigureAwait(false)) break;
            if (label is not null && !await label.ReadRowAsync(labels!, labelsFromRow: false, cancellationToken).ConfigureAwait(false))
            {
                throw new DataFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"The label file '{_options.LabelLibsvm}' has {row} rows, fewer than the data file '{data.CurrentFile}' (which has a row at {data.Position.Line})."),
                    data.CurrentFile,
                    lineNumber: data.Position.Line);
            }

            row++;
            if (rows.IsFull) yield return Take(rows, labels, pad: 0, new LibSvmResumePoint(data.Position, label?.Position));
        }

        if (label is not null)
        {
            using var extra = new LibSvmBatchBuilder(1, _options.LabelShape[0]);
            if (await label.ReadRowAsync(extra, labelsFromRow: false, cancellationToken).ConfigureAwait(false))
            {
                throw new DataFormatException(
                    string.Create(CultureInfo.InvariantCulture, $"The label file '{label.CurrentFile}' has more rows than the data file '{_options.DataLibsvm}' ({row}); the first extra one is line {label.Position.Line}."),
                    label.CurrentFile,
                    lineNumber: label.Position.Line);
            }
        }

        if (rows.Rows == 0) yield break;
        int pad = BatchSize - rows.Rows;
        if (!_options.RoundBatch)
        {
            while (!rows.IsFull)
            {
                rows.AddEmptyRow();
                labels?.AddEmptyRow();
            }
        }
        else
        {
            // Wrap to the part's first rows (tiling when the part holds fewer rows than the pad).
            while (!rows.IsFull)
            {
                using LibSvmReader again = DataReader();
                using LibSvmReader? againLabel = LabelReader();
                while (!rows.IsFull && await again.ReadRowAsync(rows, labelsFromRow: againLabel is null, cancellationToken).ConfigureAwait(false))
                {
                    if (againLabel is not null) await againLabel.ReadRowAsync(labels!, labelsFromRow: false, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        yield return Take(rows, labels, pad, cursor: null);
    }

    private static DataBatch Take(LibSvmBatchBuilder rows, LibSvmBatchBuilder? labels, int pad, LibSvmResumePoint? cursor)
    {
        NDArray? dense = labels is null ? rows.TakeLabels() : null;
        CsrNDArray data = rows.TakeCsr();
        CsrNDArray? sparseLabel = labels?.TakeCsr();
        return new DataBatch([], dense is null ? [] : [dense], pad)
        {
            SparseData = [data],
            SparseLabel = sparseLabel is null ? [] : [sparseLabel],
            ResumeCursor = cursor,
        };
    }

    private ulong OptionsFingerprint()
    {
        var fingerprint = new Fingerprint();
        fingerprint.Add(_options.DataShape);
        fingerprint.Add(_labelFiles.Length == 0 ? [] : _options.LabelShape);
        fingerprint.Add(_options.RoundBatch ? 1 : 0);
        fingerprint.Add(_options.NumParts);
        fingerprint.Add(_options.PartIndex);
        return fingerprint.Value;
    }

    private ulong DataFingerprint()
    {
        if (_dataFingerprint is { } known) return known;

        // Each file's name, length and first bytes: a changed or other file shows without reading it all.
        var fingerprint = new Fingerprint();
        byte[] head = new byte[4096];
        for (int i = 0; i < _dataFiles.Length + _labelFiles.Length; i++)
        {
            string file = i < _dataFiles.Length ? _dataFiles[i] : _labelFiles[i - _dataFiles.Length];
            fingerprint.Add(Path.GetFileName(file));
            using ByteSource source = ObjectStorage.OpenRead(file, _storage);
            fingerprint.Add(source.Length);
            fingerprint.Add(head.AsSpan(0, source.ReadAt(0, head.AsSpan(0, (int)Math.Min(head.Length, source.Length)))));
        }

        _dataFingerprint = fingerprint.Value;
        return fingerprint.Value;
    }

    /// <summary>Where the data and label files stand after a batch.</summary>
    private sealed record LibSvmResumePoint(CsvPosition Data, CsvPosition? Label);
}
