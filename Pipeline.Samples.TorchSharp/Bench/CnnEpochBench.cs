using System.Diagnostics;
using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Stages.Iterators;
using Pipeline.TorchSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Samples.TorchSharp.Bench;

/// <summary>
/// One epoch of the small CNN, then of a linear classifier (batch 32, 3x56x56, random crop + mirror, SGD), five ways, interleaved, best of 5 rounds:
/// our ImageRecordIter alone (decode + augment + batch, tensors made and dropped), the training steps alone (on one
/// batch over and over), both together (ImageRecordIter -> AsTorch -> step), TorchSharp's DataLoader alone, and the same
/// training fed by that DataLoader over <see cref="DecodingDataset"/>. libtorch runs on 1 thread; for the CNN the iterator decodes on 1 thread,
/// so the two cores of the benchmark machine hold one each; for the linear model (data-bound) it decodes on 2. The
/// DataLoader gets 2 workers (its best on 2 cores).
/// </summary>
internal static class CnnEpochBench
{
    private const int BatchSize = 32;
    private const int Rounds = 5;

    public static async Task RunAsync(TourContext context, int images)
    {
        // Compute-bound: one core trains, the other decodes.
        await RunAsync(context, images, "small CNN", () => Networks.SmallCnn(3), decodeThreads: 1).ConfigureAwait(false);
        context.Out.WriteLine();

        // Data-bound: both cores decode (as the DataLoader's two workers do); 4x the images for a measurable epoch.
        await RunAsync(context, images * 4, "linear classifier on the pixels (the data path dominates)", () => Networks.LinearOnPixels(3), decodeThreads: 2).ConfigureAwait(false);
    }

    private static async Task RunAsync(TourContext context, int images, string modelName, Func<nn.Module<Tensor, Tensor>> model, int decodeThreads)
    {
        torch.set_num_threads(1);
        torch.manual_seed(1);
        string rec = BenchRecords.Ensure(context, images);
        string idx = Path.ChangeExtension(rec, ".idx");
        File.ReadAllBytes(rec);   // page cache

        double loader = double.MaxValue, training = double.MaxValue, ours = double.MaxValue, peer = double.MaxValue, peerLoader = double.MaxValue;
        string metrics = "";
        for (int round = 0; round < Rounds; round++)
        {
            // Loader alone.
            using (var iter = new ImageRecordIter(CnnSample.TrainOptions(rec, BatchSize, threads: decodeThreads, seed: round)))
            {
                var watch = Stopwatch.StartNew();
                await foreach (TorchBatch batch in iter.AsTorch()) batch.Dispose();
                loader = Math.Min(loader, watch.Elapsed.TotalSeconds);
            }

            // Training alone: the same number of steps on one batch.
            using (var net = model())
            using (var sgd = optim.SGD(net.parameters(), 0.05, momentum: 0.9))
            using (var iter = new ImageRecordIter(CnnSample.TrainOptions(rec, BatchSize, threads: decodeThreads, seed: round)))
            {
                var trainer = new Trainer(net, sgd);
                using TorchBatch first = (await iter.AsTorch().NextAsync())!;
                using Tensor data = first.Data[0].clone();
                using Tensor label = first.Label[0].clone();
                int steps = (images + BatchSize - 1) / BatchSize;
                trainer.Step(data, label, BatchSize);
                var watch = Stopwatch.StartNew();
                for (int s = 0; s < steps; s++) trainer.Step(data, label, BatchSize);
                training = Math.Min(training, watch.Elapsed.TotalSeconds);
            }

            // Ours: the prefetching iterator feeding the steps.
            using (var net = model())
            using (var sgd = optim.SGD(net.parameters(), 0.05, momentum: 0.9))
            using (var iter = new ImageRecordIter(CnnSample.TrainOptions(rec, BatchSize, threads: decodeThreads, seed: round)))
            {
                var trainer = new Trainer(net, sgd);
                var watch = Stopwatch.StartNew();
                await trainer.TrainEpochAsync(iter.AsTorch());
                ours = Math.Min(ours, watch.Elapsed.TotalSeconds);
                metrics = iter.Metrics.ToString() ?? "";
            }

            // Peer's loader alone.
            using (var dataset = new DecodingDataset(idx, rec, Augmenters.ImageNetMean, Augmenters.ImageNetStd))
            using (var dataLoader = utils.data.DataLoader(dataset, BatchSize, shuffle: true, seed: round, num_worker: 2, disposeDataset: false))
            {
                var watch = Stopwatch.StartNew();
                foreach (Dictionary<string, Tensor> batch in dataLoader) GC.KeepAlive(batch);
                peerLoader = Math.Min(peerLoader, watch.Elapsed.TotalSeconds);
            }

            // Peer: TorchSharp's DataLoader over a decoding Dataset.
            using (var net = model())
            using (var sgd = optim.SGD(net.parameters(), 0.05, momentum: 0.9))
            using (var dataset = new DecodingDataset(idx, rec, Augmenters.ImageNetMean, Augmenters.ImageNetStd))
            using (var dataLoader = utils.data.DataLoader(dataset, BatchSize, shuffle: true, seed: round, num_worker: 2, disposeDataset: false))
            {
                var trainer = new Trainer(net, sgd);
                var watch = Stopwatch.StartNew();
                foreach (Dictionary<string, Tensor> batch in dataLoader)
                {
                    trainer.Step(batch["data"], batch["label"], (int)batch["data"].shape[0]);
                }

                peer = Math.Min(peer, watch.Elapsed.TotalSeconds);
            }
        }

        double bound = Math.Max(loader, training);
        var o = context.Out;
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{modelName}: one epoch of {images} images of the tour's photos (64 px, JPEG), batch {BatchSize}, 3x56x56, best of {Rounds} interleaved rounds; libtorch threads {torch.get_num_threads()}:"));
        o.WriteLine("| run | epoch | img/s |");
        o.WriteLine("|---|---:|---:|");
        Row(o, $"ImageRecordIter alone ({decodeThreads} decode thread{(decodeThreads > 1 ? "s" : "")})", loader, images);
        Row(o, "training steps alone (1 libtorch thread)", training, images);
        Row(o, "**ours**: ImageRecordIter -> AsTorch -> steps", ours, images);
        Row(o, "peer's loader alone: TorchSharp DataLoader (2 workers) over an ImageSharp-decoding Dataset", peerLoader, images);
        Row(o, "peer: the same DataLoader -> steps", peer, images);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ours / max(loader alone, training alone) = {ours / bound:F3} (target <= 1.1); ours vs DataLoader: {peer / ours:F2}x the images per second (goal >= 3x); loaders alone: {peerLoader / loader:F2}x"));
        o.WriteLine("ImageRecordIter's stage metrics while training (last round; consumer wait-in = time the steps waited for data):");
        o.WriteLine(metrics);
    }

    private static void Row(TextWriter output, string name, double seconds, int images) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {seconds:F3} s | {images / seconds:N0} |"));
}
