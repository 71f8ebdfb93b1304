using System.Globalization;

namespace Pipeline.Stages.Imaging;

/// <summary>An object-detection label in MXNet's layout: <c>[header_width, object_width, extra header..., (id, xmin, ymin, xmax, ymax, extra...) x N]</c>, with coordinates normalized to [0, 1].</summary>
/// <remarks>
/// <para>This is the raw label that <c>im2rec --pack-label</c> stores in a record and that a detection <c>.lst</c> line holds
/// between its index and its path; <see cref="Objects"/> is what MXNet's <c>ImageDetIter._parse_label</c> returns.</para>
/// <para><see cref="Parse"/> is stricter than MXNet, which silently drops or mangles what it cannot use: a header that does not
/// fit, a length that is not a whole number of objects, a coordinate outside [0, 1] (or not finite) and a box with
/// xmin &gt; xmax or ymin &gt; ymax are errors. As in MXNet, a box with no area (xmin = xmax or ymin = ymax) is dropped, and an
/// object whose class id is negative is padding (MXNet pads with -1) and skipped.</para>
/// </remarks>
public sealed class DetectionLabel
{
    /// <summary>Initializes a label from its header and objects.</summary>
    /// <param name="header">The header: at least <c>[header_width, object_width]</c>; its first value must equal its length and its second the objects' width.</param>
    /// <param name="objects">One row per object: id, xmin, ymin, xmax, ymax, then any extra values.</param>
    /// <exception cref="ArgumentException">The header does not describe itself or the objects.</exception>
    public DetectionLabel(float[] header, float[,] objects)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(objects);
        if (header.Length < 2 || header[0] != header.Length) throw new ArgumentException($"The header's first value must be its length (at least 2); it is {(header.Length == 0 ? "empty" : header[0].ToString(CultureInfo.InvariantCulture))} with {header.Length} values.", nameof(header));
        if (header[1] < 5 || header[1] != objects.GetLength(1)) throw new ArgumentException($"The header's object width {header[1].ToString(CultureInfo.InvariantCulture)} must be at least 5 and equal the objects' width {objects.GetLength(1)}.", nameof(objects));
        Header = header;
        Objects = objects;
    }

    /// <summary>Gets the header: <c>[header_width, object_width, extra...]</c>.</summary>
    public float[] Header { get; }

    /// <summary>Gets the objects, one row each: id, xmin, ymin, xmax, ymax, extra values.</summary>
    public float[,] Objects { get; }

    /// <summary>Gets the number of values per object (at least 5).</summary>
    public int ObjectWidth => Objects.GetLength(1);

    /// <summary>Gets the number of objects.</summary>
    public int Count => Objects.GetLength(0);

    /// <summary>Parses a raw label, checking it as described in the remarks.</summary>
    /// <param name="raw">The raw label.</param>
    /// <returns>The label, without padding objects and boxes of no area.</returns>
    /// <exception cref="FormatException">The label does not parse; the message says why and where.</exception>
    public static DetectionLabel Parse(ReadOnlySpan<float> raw)
    {
        if (raw.Length < 2) throw new FormatException($"A detection label needs at least [header_width, object_width]; it has {raw.Length} values.");
        float hw = raw[0], ow = raw[1];
        if (hw != MathF.Floor(hw) || hw < 2 || hw > raw.Length) throw new FormatException($"The header width {hw.ToString(CultureInfo.InvariantCulture)} must be a whole number from 2 to the label's length {raw.Length}.");
        if (ow != MathF.Floor(ow) || ow < 5 || ow > 1 << 16) throw new FormatException($"The object width {ow.ToString(CultureInfo.InvariantCulture)} must be a whole number of at least 5 (id, xmin, ymin, xmax, ymax).");
        int headerWidth = (int)hw, objectWidth = (int)ow;
        int body = raw.Length - headerWidth;
        if (body % objectWidth != 0) throw new FormatException($"The label has {raw.Length} values: after its {headerWidth}-value header, {body} is not a whole number of {objectWidth}-value objects.");
        int count = body / objectWidth;
        Span<bool> keep = count <= 256 ? stackalloc bool[count] : new bool[count];
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<float> o = raw.Slice(headerWidth + (i * objectWidth), objectWidth);
            if (o[0] < 0) continue;
            for (int k = 1; k < 5; k++)
            {
                if (!(o[k] >= 0 && o[k] <= 1)) throw new FormatException($"Object {i} has coordinate {Name(k)} = {o[k].ToString(CultureInfo.InvariantCulture)}, outside [0, 1].");
            }

            if (o[1] > o[3]) throw new FormatException($"Object {i} has xmin {o[1].ToString(CultureInfo.InvariantCulture)} > xmax {o[3].ToString(CultureInfo.InvariantCulture)}.");
            if (o[2] > o[4]) throw new FormatException($"Object {i} has ymin {o[2].ToString(CultureInfo.InvariantCulture)} > ymax {o[4].ToString(CultureInfo.InvariantCulture)}.");
            if (o[1] == o[3] || o[2] == o[4]) continue;
            keep[i] = true;
            kept++;
        }

        var objects = new float[kept, objectWidth];
        for (int i = 0, row = 0; i < count; i++)
        {
            if (!keep[i]) continue;
            ReadOnlySpan<float> o = raw.Slice(headerWidth + (i * objectWidth), objectWidth);
            for (int k = 0; k < objectWidth; k++) objects[row, k] = o[k];
            row++;
        }

        return new DetectionLabel(raw[..headerWidth].ToArray(), objects);
    }

    /// <summary>Returns the label with other objects (same header).</summary>
    /// <param name="objects">The new objects, of the same width.</param>
    /// <returns>A new label.</returns>
    public DetectionLabel WithObjects(float[,] objects) => new(Header, objects);

    /// <summary>Writes the raw label: the header, then every object.</summary>
    /// <returns>The values.</returns>
    public float[] ToArray()
    {
        float[] raw = new float[Header.Length + Objects.Length];
        Header.CopyTo(raw, 0);
        CopyObjects(Objects, raw.AsSpan(Header.Length));
        return raw;
    }

    /// <summary>Copies objects row by row into a span of at least <c>Length</c> values.</summary>
    internal static void CopyObjects(float[,] objects, Span<float> destination)
    {
        int width = objects.GetLength(1);
        for (int i = 0; i < objects.GetLength(0); i++)
        {
            for (int k = 0; k < width; k++) destination[(i * width) + k] = objects[i, k];
        }
    }

    private static string Name(int k) => k switch { 1 => "xmin", 2 => "ymin", 3 => "xmax", _ => "ymax" };
}
