using System.Diagnostics;
using System.Globalization;
using Pipeline.Core;
using Pipeline.TorchSharp;
using TorchSharp;

namespace Pipeline.Samples.TorchSharp.Bench;

/// <summary>
/// The cost of <see cref="TorchInterop.AsTorch"/> per batch (create and dispose the tensor) against a memcpy of the same
/// bytes (the least a copying hand-off costs) and against the copy users write today
/// (<c>torch.tensor(array.ToArray&lt;float&gt;(), shape)</c>), interleaved, best of 5 rounds. <c>torch.empty</c> (a tensor
/// that allocates and shares nothing) is the floor any tensor creation through TorchSharp pays.
/// </summary>
internal static class AsTorchBench
{
    public static void Run(TextWriter output)
    {
        torch.set_num_threads(1);
        (string Name, int[] Shape)[] batches =
        [
            ("MLP batch 50x784 float32", [50, 784]),
            ("CNN batch 32x3x56x56 float32", [32, 3, 56, 56]),
            ("ImageNet batch 32x3x224x224 float32", [32, 3, 224, 224]),
        ];
        output.WriteLine("| batch | bytes | memcpy (peer) | `torch.tensor(ToArray())` | `torch.empty` + dispose (floor) | `AsTorch` + dispose | AsTorch / memcpy |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach ((string name, int[] shape) in batches)
        {
            using NDArray array = NDArray.Zeros(DType.Float32, shape);
            byte[] target = new byte[array.ByteLength];
            long[] dimensions = [.. shape.Select(x => (long)x)];
            double memcpy = double.MaxValue, copy = double.MaxValue, view = double.MaxValue, empty = double.MaxValue;
            int copies = Math.Max(20, 200_000_000 / array.ByteLength);
            for (int round = 0; round < 5; round++)
            {
                memcpy = Math.Min(memcpy, Time(copies, () => array.AsBytes().CopyTo(target)));
                copy = Math.Min(copy, Time(Math.Max(5, copies / 10), () =>
                {
                    using torch.Tensor t = torch.tensor(array.ToArray<float>(), dimensions);
                }));
                empty = Math.Min(empty, Time(20_000, () =>
                {
                    using torch.Tensor t = torch.empty(dimensions);
                }));
                view = Math.Min(view, Time(20_000, () =>
                {
                    using torch.Tensor t = array.AsTorch();
                }));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {array.ByteLength:N0} | {Micro(memcpy)} | {Micro(copy)} | {Micro(empty)} | {Micro(view)} | **{view / memcpy:P2}** |"));
        }
    }

    private static string Micro(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:F2} µs");

    private static double Time(int iterations, Action action)
    {
        action();
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) action();
        return watch.Elapsed.TotalSeconds / iterations;
    }
}
