using Pipeline.Core.RecordIO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using TorchSharp;
using static TorchSharp.torch;

namespace Pipeline.Samples.TorchSharp.Bench;

/// <summary>
/// The peer: a TorchSharp <see cref="utils.data.Dataset"/> written the way a .NET user writes one today: read the record,
/// decode it with ImageSharp, random 56x56 crop and mirror, normalize into a CHW float array, <c>torch.tensor</c> it.
/// TorchSharp's DataLoader then stacks these per batch (in parallel over its workers, without prefetching across batches).
/// </summary>
internal sealed class DecodingDataset(string idxPath, string recPath, IReadOnlyList<float> mean, IReadOnlyList<float> std) : utils.data.Dataset
{
    private const int Size = 56;
    private readonly IndexedRecordIOReader _reader = new(idxPath, recPath);
    private int _draws;

    public override long Count => _reader.Keys.Count;

    public override Dictionary<string, Tensor> GetTensor(long index)
    {
        (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(_reader.ReadIdx(_reader.Keys[(int)index]));
        using Image<Rgb24> image = Image.Load<Rgb24>(payload.Span);
        var random = new Random(HashCode.Combine(index, Interlocked.Increment(ref _draws)));
        int x = random.Next(image.Width - Size + 1);
        int y = random.Next(image.Height - Size + 1);
        bool mirror = random.Next(2) == 0;
        image.Mutate(c =>
        {
            c.Crop(new Rectangle(x, y, Size, Size));
            if (mirror) c.Flip(FlipMode.Horizontal);
        });

        var chw = new float[3 * Size * Size];
        image.ProcessPixelRows(rows =>
        {
            for (int r = 0; r < Size; r++)
            {
                Span<Rgb24> row = rows.GetRowSpan(r);
                for (int col = 0; col < Size; col++)
                {
                    chw[(r * Size) + col] = (row[col].R - mean[0]) / std[0];
                    chw[(Size * Size) + (r * Size) + col] = (row[col].G - mean[1]) / std[1];
                    chw[(2 * Size * Size) + (r * Size) + col] = (row[col].B - mean[2]) / std[2];
                }
            }
        });

        return new Dictionary<string, Tensor>
        {
            ["data"] = torch.tensor(chw, [3, Size, Size]),
            ["label"] = torch.tensor((long)header.Label),
        };
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _reader.Dispose();
        base.Dispose(disposing);
    }
}
