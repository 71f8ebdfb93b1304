using System.Diagnostics;
using System.Globalization;
using System.Threading.Tasks.Dataflow;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Stages.Dataflow;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.Im2Rec;

/// <summary>Packs image lists into <c>.rec</c> + <c>.idx</c>, as MXNet's <c>im2rec</c>: parallel decode and encode, output in list order, never a half-written file.</summary>
public static class Im2RecPacker
{
    /// <summary>Packs every <c>.lst</c> that belongs to <paramref name="prefix"/> (im2rec.py's rule: in the prefix's folder, named with the prefix, ending in <c>.lst</c>).</summary>
    /// <param name="prefix">A prefix such as <c>data/train</c>, or a folder.</param>
    /// <param name="root">The folder the lists' paths are relative to.</param>
    /// <param name="options">The packing options.</param>
    /// <param name="progress">Receives progress reports, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops packing; the outputs in progress are removed.</param>
    /// <returns>One summary per list, in ordinal name order.</returns>
    /// <exception cref="FileNotFoundException">No list matches the prefix.</exception>
    public static async Task<IReadOnlyList<Im2RecSummary>> PackPrefixAsync(string prefix, string root, Im2RecPackOptions options, IProgress<Im2RecProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        string full = Path.GetFullPath(prefix);
        string folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
        string[] lists = [.. Directory.GetFiles(folder, "*.lst").Where(f => Path.GetFullPath(f).StartsWith(full, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        if (lists.Length == 0) throw new FileNotFoundException($"Did not find any list file with prefix '{prefix}'.", prefix);
        var summaries = new List<Im2RecSummary>();
        foreach (string list in lists)
        {
            string stem = Path.ChangeExtension(list, null);
            if (options.Output is not null) stem = ObjectStorage.Combine(options.Output, Path.GetFileName(stem));
            summaries.Add(await PackAsync(list, root, stem + ".rec", stem + ".idx", options, progress, cancellationToken).ConfigureAwait(false));
        }

        return summaries;
    }

    /// <summary>Packs one list.</summary>
    /// <param name="listPath">The <c>.lst</c> file.</param>
    /// <param name="root">The folder its paths are relative to.</param>
    /// <param name="recPath">The <c>.rec</c> to write: a path or a URI such as <c>s3://bucket/train.rec</c>.</param>
    /// <param name="idxPath">The <c>.idx</c> to write: a path or a URI.</param>
    /// <param name="options">The packing options.</param>
    /// <param name="progress">Receives progress reports, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops packing; the outputs in progress are removed.</param>
    /// <returns>What was written and skipped.</returns>
    /// <exception cref="ImageDecodeException">An image cannot be read and <see cref="Im2RecPackOptions.Strict"/> is set; nothing is left behind.</exception>
    /// <exception cref="PipelineException">Nothing was packed (every image skipped, or an empty list), or more images were skipped than
    /// <see cref="Im2RecPackOptions.MaxSkipped"/> allows; existing outputs are left as they were.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; nothing is left behind.</exception>
    public static async Task<Im2RecSummary> PackAsync(string listPath, string root, string recPath, string idxPath, Im2RecPackOptions options, IProgress<Im2RecProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        IReadOnlyList<ImageListEntry> entries = ImageList.Read(listPath);
        var watch = Stopwatch.StartNew();
        var skipped = new List<(string, string)>();
        // A local pair is written under temporary names and renamed when complete; a remote object appears only when its
        // upload completes, so it is written under its own name and aborted on failure.
        bool local = ObjectStorage.TryGetLocalPath(recPath, out _) && ObjectStorage.TryGetLocalPath(idxPath, out _);
        string recTemp = local ? recPath + ".tmp" : recPath;
        string idxTemp = local ? idxPath + ".tmp" : idxPath;
        int done = 0;
        long bytes;
        IndexedRecordIOWriter? writer = null;
        try
        {
            writer = new IndexedRecordIOWriter(idxTemp, recTemp, options.Storage ?? StorageOptions.Default);
            {
                TransformBlock<ImageListEntry, (ImageListEntry Entry, byte[]? Record, string? Error)> encode = OrderedTransformBlock.Create<ImageListEntry, (ImageListEntry Entry, byte[]? Record, string? Error)>(
                    entry => Encode(entry, root, options), options.NumThreads, boundedCapacity: options.NumThreads * 4, cancellationToken);
                var write = new ActionBlock<(ImageListEntry Entry, byte[]? Record, string? Error)>(
                    result =>
                    {
                        if (result.Record is null)
                        {
                            if (options.Strict) throw new ImageDecodeException($"Cannot pack '{Path.Combine(root, result.Entry.Path)}' (list index {result.Entry.Index}): {result.Error}");
                            skipped.Add((Path.Combine(root, result.Entry.Path), result.Error!));
                        }
                        else
                        {
                            writer.WriteIdx(result.Entry.Index, result.Record);
                        }

                        done++;
                        if (progress is not null && (done % 64 == 0 || done == entries.Count)) progress.Report(new Im2RecProgress(listPath, done, entries.Count, skipped.Count, watch.Elapsed));
                    },
                    new ExecutionDataflowBlockOptions { BoundedCapacity = options.NumThreads * 4, CancellationToken = cancellationToken });
                encode.LinkTo(write, new DataflowLinkOptions { PropagateCompletion = true });

                // A failed writer must stop the encoder too, or the send loop below would wait on a full queue forever.
                _ = write.Completion.ContinueWith(t => ((IDataflowBlock)encode).Fault(t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                foreach (ImageListEntry entry in entries)
                {
                    if (!await encode.SendAsync(entry, cancellationToken).ConfigureAwait(false)) break;
                }

                encode.Complete();
                try
                {
                    await write.Completion.ConfigureAwait(false);
                }
                catch (AggregateException wrapped) when (wrapped.InnerExceptions.Count == 1)
                {
                    // A fault propagated from the encoder arrives wrapped; the caller gets the error itself.
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(wrapped.InnerExceptions[0]);
                }
            }

            // Checked before anything is renamed: a list that packed nothing (a wrong image folder skips every image) must not
            // replace a good pair with empty files, and the caller must hear about it.
            CheckSkipped(listPath, root, recPath, entries.Count, skipped, options.MaxSkipped);

            bytes = writer.Position;
            writer.Dispose();
            writer = null;

            // Rename only once both files are complete, so a failure never leaves a half-written pair.
            if (local)
            {
                File.Move(recTemp, recPath, overwrite: true);
                File.Move(idxTemp, idxPath, overwrite: true);
            }
        }
        catch
        {
            writer?.Abort();
            if (local)
            {
                File.Delete(recTemp);
                File.Delete(idxTemp);
            }

            throw;
        }

        return new Im2RecSummary(listPath, recPath, idxPath, done - skipped.Count, skipped, bytes, watch.Elapsed);
    }

    private static void CheckSkipped(string listPath, string root, string recPath, int total, List<(string Path, string Reason)> skipped, int? maxSkipped)
    {
        int written = total - skipped.Count;
        string first = skipped.Count > 0 ? $" The first: '{skipped[0].Path}': {skipped[0].Reason}" : string.Empty;
        if (total == 0)
        {
            throw new PipelineException($"The image list '{listPath}' has no entries, so nothing was packed; '{recPath}' was left as it was.");
        }

        if (written == 0)
        {
            throw new PipelineException(string.Create(CultureInfo.InvariantCulture, $"Packed nothing from '{listPath}': all {total} images were skipped (is '{root}' the folder the list's paths are relative to?); '{recPath}' was left as it was.{first}"));
        }

        if (skipped.Count > maxSkipped)
        {
            throw new PipelineException(string.Create(CultureInfo.InvariantCulture, $"Skipped {skipped.Count} of {total} images of '{listPath}', more than MaxSkipped ({maxSkipped}) allows; '{recPath}' was left as it was.{first}"));
        }
    }

    /// <summary>Builds the record of one list entry: header, labels and the (re-encoded) image.</summary>
    /// <param name="entry">The list entry.</param>
    /// <param name="root">The image folder.</param>
    /// <param name="options">The packing options.</param>
    /// <returns>The packed record, or the reason the image could not be packed.</returns>
    internal static (ImageListEntry Entry, byte[]? Record, string? Error) Encode(ImageListEntry entry, string root, Im2RecPackOptions options)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(options);
        string path = Path.Combine(root, entry.Path);

        // The file goes into a pooled buffer: images are mostly larger than the large-object threshold, and an array per image
        // would be garbage the collector must clear again.
        byte[] rented;
        int length;
        try
        {
            (rented, length) = ReadPooled(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return (entry, null, error.Message);
        }

        try
        {
            ReadOnlySpan<byte> bytes = rented.AsSpan(0, length);
            float first = entry.Labels.Length > 0 ? entry.Labels[0] : 0f;
            ImageRecordHeader header = options.PackLabel && entry.Labels.Length > 1
                ? new ImageRecordHeader((uint)entry.Labels.Length, first, (ulong)entry.Index, 0)
                : new ImageRecordHeader(0, first, (ulong)entry.Index, 0);
            ReadOnlySpan<byte> payload;
            if (options.PassThrough)
            {
                payload = bytes;
            }
            else
            {
                try
                {
                    payload = Reencode(bytes, options);
                }
                catch (ImagingException error)
                {
                    // Decoding, resizing or encoding this one image failed (a size the encoder cannot hold, too many pixels):
                    // skipped and counted like an unreadable file.
                    return (entry, null, error.Message);
                }
            }

            // im2rec.cc keeps the first label in the header even when it packs all of them (Python's pack would write 0).
            int labelBytes = (int)header.Flag * sizeof(float);
            byte[] record = new byte[ImageRecordHeader.Size + labelBytes + payload.Length];
            header.WriteTo(record);
            for (int i = 0; i < header.Flag; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(record.AsSpan(ImageRecordHeader.Size + (4 * i)), entry.Labels[i]);
            payload.CopyTo(record.AsSpan(ImageRecordHeader.Size + labelBytes));
            return (entry, record, null);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Reads a whole file into a buffer rented from the shared pool; the caller returns it.</summary>
    private static (byte[] Buffer, int Length) ReadPooled(string path)
    {
        using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path);
        long size = RandomAccess.GetLength(handle);
        if (size > Array.MaxLength) throw new IOException($"'{path}' is {size} bytes, more than an image record can hold.");
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Max(size, 1));
        int total = 0;
        while (total < size)
        {
            int read = RandomAccess.Read(handle, buffer.AsSpan(total, (int)size - total), total);
            if (read == 0) break;
            total += read;
        }

        return (buffer, total);
    }

    /// <summary>im2rec's size for the shorter side: integer arithmetic, the longer side rounded down.</summary>
    private static (int Width, int Height) ShorterSide(int w, int h, int resize) => h > w ? (resize, h * resize / w) : (w * resize / h, resize);

    /// <summary>The planar path (see <see cref="Im2RecPackOptions.PlanarResize"/>) where it applies: a JPEG that needs resizing; <see langword="null"/> otherwise.</summary>
    private static byte[]? ResizeJpegPlanes(ReadOnlySpan<byte> bytes, Im2RecPackOptions options)
    {
        if (ImageCodecs.Default.ReadHeader(bytes) is not { Format: ImageFormat.Jpeg } header) return null;
        (int w, int h) = (header.Width, header.Height);
        if (Math.Min(w, h) == options.Resize) return null;
        (int nw, int nh) = ShorterSide(w, h, options.Resize);

        // Past a 2x reduction the 2-tap kernels skip source pixels, and full-resolution and half-resolution chroma skip
        // different ones: the two orders then differ by more than a level, so those images go through RGB.
        if (2L * nw < w || 2L * nh < h) return null;
        return ImageOps.ResizeJpegPlanes(bytes, nw, nh, options.InterMethod, options.Quality, new ImageDecodeOptions { AutoOrient = true });
    }

    private static byte[] Reencode(ReadOnlySpan<byte> bytes, Im2RecPackOptions options)
    {
        if (options.PlanarResize && options.Color == 1 && options.Encoding == ImageFormat.Jpeg && options.Resize > 0 && !options.CenterCrop
            && ResizeJpegPlanes(bytes, options) is { } planar)
        {
            return planar;
        }

        NDArray image = options.Color == -1
            ? ImageOps.DecodeUnchanged(bytes)
            : ImageOps.Decode(bytes, new ImageDecodeOptions { Color = options.Color == 1, AutoOrient = true });
        try
        {
            if (options.Resize > 0)
            {
                (int h, int w, _) = (image.GetLength(0), image.GetLength(1), image.GetLength(2));
                if (options.CenterCrop && h != w)
                {
                    int side = Math.Min(h, w);
                    NDArray square = ImageOps.FixedCrop(image, (w - side) / 2, (h - side) / 2, side, side);
                    image.Dispose();
                    image = square;
                    (h, w) = (side, side);
                }

                (int nw, int nh) = ShorterSide(w, h, options.Resize);
                if (Math.Min(h, w) != options.Resize)
                {
                    NDArray resized = ImageOps.Resize(image, nw, nh, options.InterMethod);
                    image.Dispose();
                    image = resized;
                }
            }

            bool png = options.Encoding == ImageFormat.Png;
            int quality = png && options.Quality > 9 ? 3 : options.Quality;
            return ImageOps.Encode(image, options.Encoding, quality);
        }
        finally
        {
            image.Dispose();
        }
    }
}
