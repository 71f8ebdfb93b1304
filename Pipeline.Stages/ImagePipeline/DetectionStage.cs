using System.Globalization;
using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Stages.ImagePipeline;

/// <summary>The detection part of the image pipeline's stage: parses a record's raw label, runs the box-aware augmenters with the image, and writes the label row in the facade's layout.</summary>
/// <remarks>
/// Two layouts, one per MXNet iterator. <see cref="DetectionLabelLayout.Record"/> (C++ <c>ImageDetRecordIter</c>): a row of
/// <c>[channels, height, width, label length, header..., objects..., pad value...]</c>. <see cref="DetectionLabelLayout.Objects"/>
/// (Python <c>ImageDetIter</c>): a (max objects, object width) block of object rows, the rest -1.
/// </remarks>
internal sealed class DetectionStage
{
    private readonly IReadOnlyList<DetAugmenter> _augmenters;

    public DetectionStage(IReadOnlyList<DetAugmenter> augmenters, DetectionLabelLayout layout)
    {
        _augmenters = augmenters;
        Layout = layout;
    }

    public DetectionLabelLayout Layout { get; }

    /// <summary>Gets the exact raw label length a record must have, or 0 for any (C++ <c>label_width</c>).</summary>
    public int RawLabelWidth { get; init; }

    /// <summary>Gets the object width every label must have, or 0 for any.</summary>
    public int ObjectWidth { get; init; }

    /// <summary>Gets the value of padding in a <see cref="DetectionLabelLayout.Record"/> row.</summary>
    public float PadValue { get; init; } = -1;

    /// <summary>Gets the data shape's (height, width): an image the augmenters leave smaller (resize modes shrink and fit) is placed at the top left, the rest 0.</summary>
    public (int Height, int Width) DataSize { get; init; }

    /// <summary>Parses the raw label and augments image and boxes (parallel part).</summary>
    /// <exception cref="FormatException">The label does not parse or has the wrong width.</exception>
    public (NDArray Image, float[] Label) Process(NDArray image, float[] raw, Random rng)
    {
        if (RawLabelWidth > 0 && raw.Length != RawLabelWidth) throw new FormatException($"The label has {raw.Length} values but LabelWidth is {RawLabelWidth}.");
        DetectionLabel parsed = DetectionLabel.Parse(raw);
        if (ObjectWidth > 0 && parsed.ObjectWidth != ObjectWidth) throw new FormatException($"The label's objects have {parsed.ObjectWidth} values; the iterator's label shape has {ObjectWidth}.");
        float[,] objects = parsed.Objects;
        try
        {
            foreach (DetAugmenter augmenter in _augmenters) (image, objects) = augmenter.Apply(image, objects, rng);
            if (Layout == DetectionLabelLayout.Objects)
            {
                float[] rows = new float[objects.Length];
                DetectionLabel.CopyObjects(objects, rows);
                return (image, rows);
            }

            (int h, int w, int c) = ImageOps.CheckImage(image);
            float[] label = new float[4 + parsed.Header.Length + objects.Length];
            label[0] = c;
            label[1] = h;
            label[2] = w;
            label[3] = parsed.Header.Length + objects.Length;
            parsed.Header.CopyTo(label, 4);
            DetectionLabel.CopyObjects(objects, label.AsSpan(4 + parsed.Header.Length));
            if (h < DataSize.Height || w < DataSize.Width)
            {
                NDArray placed = ImageOps.CropWithFill(image, new ImageRect(0, 0, DataSize.Width, DataSize.Height), [0f]);
                image.Dispose();
                image = placed;
            }

            return (image, label);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Writes a processed label into its row (ordered part).</summary>
    /// <returns>null, or why the label does not fit the row.</returns>
    public string? Write(float[] label, Span<float> row)
    {
        if (label.Length > row.Length)
        {
            return Layout == DetectionLabelLayout.Objects
                ? string.Create(CultureInfo.InvariantCulture, $"it has {label.Length / Math.Max(1, ObjectWidth)} objects after augmentation but the label shape holds {row.Length / Math.Max(1, ObjectWidth)}")
                : string.Create(CultureInfo.InvariantCulture, $"its label is {label.Length - 4} values long but LabelPadWidth is {row.Length - 4}");
        }

        row.Fill(Layout == DetectionLabelLayout.Objects ? -1f : PadValue);
        label.CopyTo(row);
        return null;
    }
}
