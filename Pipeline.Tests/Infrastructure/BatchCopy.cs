using Pipeline.Core;

namespace Pipeline.Tests.Infrastructure;

/// <summary>A batch copied out of its pooled buffers, so tests can keep it after disposing the original.</summary>
internal sealed record BatchCopy(float[][] Data, float[][] Label, int[][] DataShapes, int[][] LabelShapes, int Pad, long[]? Index, string Text)
{
    public static BatchCopy Of(DataBatch batch) => new(
        batch.Data.Select(ToFloats).ToArray(),
        batch.Label.Select(ToFloats).ToArray(),
        batch.Data.Select(a => a.Shape).ToArray(),
        batch.Label.Select(a => a.Shape).ToArray(),
        batch.Pad,
        batch.Index?.ToArray(),
        batch.ToString());

    public static float[] ToFloats(NDArray array) => array.DType switch
    {
        DType.Float32 => array.ToArray<float>(),
        DType.Float64 => array.ToArray<double>().Select(v => (float)v).ToArray(),
        DType.Int32 => array.ToArray<int>().Select(v => (float)v).ToArray(),
        DType.Int64 => array.ToArray<long>().Select(v => (float)v).ToArray(),
        DType.UInt8 => array.ToArray<byte>().Select(v => (float)v).ToArray(),
        DType.Int8 => array.ToArray<sbyte>().Select(v => (float)v).ToArray(),
        _ => throw new NotSupportedException(array.DType.ToString()),
    };
}
