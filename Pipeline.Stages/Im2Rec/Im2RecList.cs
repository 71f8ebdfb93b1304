using System.Globalization;
using Pipeline.Core.RecordIO;

namespace Pipeline.Stages.Im2Rec;

/// <summary>Builds MXNet image lists (<c>index \t label \t path</c>) from a folder of images, as <c>im2rec.py --list</c>.</summary>
public static class Im2RecList
{
    /// <summary>Finds the images under <paramref name="root"/>, in im2rec.py's order and with its labels.</summary>
    /// <param name="root">The image folder.</param>
    /// <param name="options">Recursion and extensions.</param>
    /// <returns>The entries (indices 0, 1, ... in walk order) and the label of each folder (relative path, "." for the root).</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static (IReadOnlyList<ImageListEntry> Entries, IReadOnlyList<(string Folder, int Label)> Labels) Scan(string root, Im2RecListOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Image root '{root}' does not exist.");
        var entries = new List<ImageListEntry>();
        var labels = new List<(string, int)>();
        if (!options.Recursive)
        {
            foreach (string file in Sorted(Directory.GetFiles(root)))
            {
                if (Accepted(file, options)) entries.Add(new ImageListEntry(entries.Count, [0f], Path.GetFileName(file)));
            }

            return (entries, labels);
        }

        Walk(root, root, options, entries, labels);
        return (entries, labels);
    }

    /// <summary>Writes the <c>.lst</c> files for <paramref name="prefix"/>: shuffled, chunked and split into train/val/test by im2rec.py's rules.</summary>
    /// <param name="prefix">The output prefix (<c>PREFIX.lst</c>, <c>PREFIX_train.lst</c>, <c>PREFIX_0_val.lst</c>, ...).</param>
    /// <param name="root">The image folder.</param>
    /// <param name="options">The options.</param>
    /// <returns>The files written, with their entries.</returns>
    public static IReadOnlyList<(string Path, IReadOnlyList<ImageListEntry> Entries)> Write(string prefix, string root, Im2RecListOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        (IReadOnlyList<ImageListEntry> scanned, _) = Scan(root, options);
        List<ImageListEntry> items = [.. scanned];
        if (options.Shuffle) new PythonRandom(options.Seed).Shuffle(items);
        var written = new List<(string, IReadOnlyList<ImageListEntry>)>();
        int chunkSize = (items.Count + options.Chunks - 1) / options.Chunks;
        for (int c = 0; c < options.Chunks; c++)
        {
            List<ImageListEntry> chunk = [.. items.Skip(c * chunkSize).Take(chunkSize)];
            string suffix = options.Chunks > 1 ? "_" + c.ToString(CultureInfo.InvariantCulture) : string.Empty;

            // As im2rec.py, the split sizes come from the nominal chunk size, not the (maybe shorter) last chunk.
            int train = (int)(chunkSize * options.TrainRatio);
            int test = (int)(chunkSize * options.TestRatio);
            if (options.TrainRatio == 1.0)
            {
                written.Add(WriteList($"{prefix}{suffix}.lst", chunk));
                continue;
            }

            if (options.TestRatio != 0) written.Add(WriteList($"{prefix}{suffix}_test.lst", [.. chunk.Take(test)]));
            if (options.TrainRatio + options.TestRatio < 1.0) written.Add(WriteList($"{prefix}{suffix}_val.lst", [.. chunk.Skip(test + train)]));
            written.Add(WriteList($"{prefix}{suffix}_train.lst", [.. chunk.Skip(test).Take(train)]));
        }

        return written;
    }

    private static (string, IReadOnlyList<ImageListEntry>) WriteList(string path, List<ImageListEntry> entries)
    {
        ImageList.Write(path, entries);
        return (path, entries);
    }

    private static void Walk(string root, string folder, Im2RecListOptions options, List<ImageListEntry> entries, List<(string, int)> labels)
    {
        int label = -1;
        foreach (string file in Sorted(Directory.GetFiles(folder)))
        {
            if (!Accepted(file, options)) continue;
            if (label < 0)
            {
                label = labels.Count;
                string relative = Path.GetRelativePath(root, folder).Replace('\\', '/');
                labels.Add((relative, label));
            }

            entries.Add(new ImageListEntry(entries.Count, [label], Path.GetRelativePath(root, file).Replace('\\', '/')));
        }

        foreach (string sub in Sorted(Directory.GetDirectories(folder))) Walk(root, sub, options, entries, labels);
    }

    private static string[] Sorted(string[] paths)
    {
        Array.Sort(paths, (a, b) => string.CompareOrdinal(Path.GetFileName(a), Path.GetFileName(b)));
        return paths;
    }

    private static bool Accepted(string file, Im2RecListOptions options) => options.Exts.Contains(Path.GetExtension(file).ToLowerInvariant());
}
