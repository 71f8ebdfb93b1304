using System.Globalization;

namespace Pipeline.Core;

/// <summary>Describes one input or output of an iterator: its name, batch shape, element type and layout.</summary>
/// <param name="Name">The name a network binds the array to (<c>data</c>, <c>softmax_label</c>, ...).</param>
/// <param name="Shape">The shape of one batch, batch axis included.</param>
/// <param name="DType">The element type.</param>
/// <param name="Layout">The axis letters; <c>N</c> marks the batch axis.</param>
/// <remarks>
/// As in MXNet, equality compares only <see cref="Name"/> and the elements of <see cref="Shape"/>:
/// two descriptors that differ only in type or layout are equal.
/// </remarks>
public sealed record DataDesc(string Name, int[] Shape, DType DType = DType.Float32, string Layout = "NCHW")
{
    /// <summary>Gets the batch axis of this descriptor's layout (see <see cref="GetBatchAxis"/>).</summary>
    public int BatchAxis => GetBatchAxis(Layout);

    /// <summary>Gets the index of the batch axis in a layout string, as MXNet's <c>get_batch_axis</c>.</summary>
    /// <param name="layout">The layout, or <see langword="null"/> for the default.</param>
    /// <returns>0 for <see langword="null"/>; otherwise the index of the first <c>N</c>, or -1 when there is none.</returns>
    public static int GetBatchAxis(string? layout) => layout is null ? 0 : layout.IndexOf('N', StringComparison.Ordinal);

    /// <inheritdoc />
    public bool Equals(DataDesc? other) =>
        other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && Shape.AsSpan().SequenceEqual(other.Shape);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(Name, StringComparer.Ordinal);
        foreach (int length in Shape)
        {
            hash.Add(length);
        }

        return hash.ToHashCode();
    }

    /// <summary>Returns MXNet's representation, for example <c>DataDesc[data,(25, 10),float32,NCHW]</c>.</summary>
    /// <returns>The representation.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"DataDesc[{Name},{FormatTuple(Shape)},{DType.ToNumPyName()},{Layout}]");

    /// <summary>Formats a shape as a Python tuple: <c>(2, 3)</c>, <c>(5,)</c> or <c>()</c>.</summary>
    /// <param name="shape">The shape.</param>
    /// <returns>The tuple text.</returns>
    public static string FormatTuple(ReadOnlySpan<int> shape) =>
        shape.Length == 1 ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)" : $"({NDArray.FormatShape(shape, ", ")})";
}
