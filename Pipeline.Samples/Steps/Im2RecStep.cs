using Pipeline.Core.RecordIO;
using Pipeline.Stages.Im2Rec;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's im2rec section: a folder of class sub-folders into .lst, then .rec + .idx.</summary>
internal sealed class Im2RecStep : ITourStep
{
    public string Name => "im2rec";

    public string Summary => "im2rec makes an image list from class folders and packs it into MXNet-compatible .rec + .idx.";

    public void Run(TourContext context)
    {
        string root = Path.Combine(context.DataDir, "photos");
        string prefix = Path.Combine(context.OutputDir, "photos");
        var lists = Im2RecList.Write(prefix, root, new Im2RecListOptions { Recursive = true, TrainRatio = 0.75 });
        foreach ((string path, IReadOnlyList<ImageListEntry> entries) in lists)
        {
            context.OutputFile(Path.GetFileName(path));
            context.Out.WriteLine($"{Path.GetFileName(path)}: {entries.Count} images, first line: {ImageList.FormatLine(entries[0]).Replace("\t", "\\t", StringComparison.Ordinal)}");
        }

        foreach (Im2RecSummary summary in Im2RecPacker.PackPrefixAsync(prefix, root, new Im2RecPackOptions { Resize = 64, Quality = 90, NumThreads = 2 }).GetAwaiter().GetResult())
        {
            context.OutputFile(Path.GetFileName(summary.RecPath));
            context.OutputFile(Path.GetFileName(summary.IdxPath));
            using var reader = new IndexedRecordIOReader(summary.IdxPath, summary.RecPath);
            context.Out.WriteLine($"{Path.GetFileName(summary.RecPath)}: {summary.Written} records, keys {string.Join(",", reader.Keys.Take(6))}...");
            context.Results[$"im2rec.{Path.GetFileNameWithoutExtension(summary.RecPath)}"] = reader.Keys.ToArray();
        }
    }
}
