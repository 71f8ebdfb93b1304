using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Stages.Iterators;

namespace Pipeline.Samples.Steps;

/// <summary>The tutorial's image-captioning example: ImageRecordIter for the images, BucketSentenceIter for their captions, combined so each batch holds both.</summary>
internal sealed class CaptionStep : ITourStep
{
    public string Name => "captions";

    public string Summary => "An image-captioning iterator: ImageRecordIter + BucketSentenceIter in lockstep, reset together, one batch holding both.";

    public void Run(TourContext context)
    {
        string rec = ImageIterStep.EnsurePacked(context);

        // One caption per record, in the record file's order (the .lst order im2rec packed): "a photo of <class> : <name words>".
        IReadOnlyList<ImageListEntry> entries = ImageList.Read(Path.ChangeExtension(rec, ".lst"));
        string[] classes = ["landscape", "objects", "plants"];
        List<string[]> words = [.. entries.Select(e => (string[])[
            "a", "photo", "of", classes[(int)e.Labels[0]], ":",
            .. Path.GetFileNameWithoutExtension(e.Path).Split('_', '-', StringSplitOptions.RemoveEmptyEntries)])];
        var (sentences, vocab) = BucketSentenceIter.EncodeSentences(words);
        int longest = sentences.Max(s => s.Length);

        // Images are not shuffled and the captions share one bucket, so row i of both is record i.
        var captions = new BucketSentenceIter([.. sentences], batchSize: 6, buckets: [longest], dataName: "caption", labelName: "caption_label", shuffle: false);
        var images = new ImageRecordIter(new ImageRecordIterOptions { PathImgRec = rec, DataShape = [3, 32, 32], BatchSize = 6, Resize = 32, PreprocessThreads = 2 });
        using var iter = new CaptionIter(images, captions);
        string[] names = new string[vocab.Count + 1];
        foreach ((string word, int id) in vocab) names[id + 1] = word;

        bool lockstep = true;
        int batches = 0;
        for (int epoch = 0; epoch < 2; epoch++)
        {
            while (iter.Next() is { } batch)
            {
                using (batch)
                {
                    if (epoch == 0 && batches == 0)
                    {
                        context.Out.WriteLine($"caption iterator: {batch}, bucket {batch.BucketKey}, provide_data {string.Join(", ", batch.ProvideData!.Select(d => $"{d.Name}{DataDesc.FormatTuple(d.Shape)}"))}");
                        float[] first = batch.Data[1].ToArray<float>()[..longest];
                        context.Out.WriteLine($"  first caption: {string.Join(' ', first.Select(t => t == captions.InvalidLabel ? "<pad>" : names[(int)t + 1]))}");
                    }

                    // The class word of each caption names the class of the image in the same row.
                    float[] tokens = batch.Data[1].ToArray<float>();
                    float[] labels = batch.Label[1].ToArray<float>();
                    for (int row = 0; row < labels.Length - batch.Pad; row++) lockstep &= tokens[(row * longest) + 3] == vocab[classes[(int)labels[row]]];
                    if (epoch == 0) batches++;
                }
            }

            iter.Reset();
        }

        context.Out.WriteLine($"caption iterator: {batches} batches per epoch, images and captions in lockstep over 2 epochs: {lockstep}");
        context.Results["captions.batches"] = batches;
        context.Results["captions.lockstep"] = lockstep;
    }
}
