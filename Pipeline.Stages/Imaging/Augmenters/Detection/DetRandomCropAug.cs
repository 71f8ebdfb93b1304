using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Crops a random region under object constraints, as MXNet's <c>DetRandomCropAug</c> (SSD-style sampling).</summary>
/// <remarks>
/// <para>Each attempt draws an aspect ratio from <see cref="AspectRatioRange"/> and an area from <see cref="AreaRange"/> (fractions of the
/// image), then a position; the crop is taken when every object it touches keeps more than <see cref="MinObjectCovered"/> of its
/// area inside it. Boxes are clipped to the crop; an object left with <see cref="MinEjectCoverage"/> or less of its area is
/// dropped, and a crop that would drop every object is refused. After <see cref="MaxAttempts"/> refusals the image is unchanged.</para>
/// <para>Invalid ranges disable the augmenter (MXNet warns and does the same); <see cref="Enabled"/> tells.</para>
/// </remarks>
public sealed class DetRandomCropAug : DetAugmenter
{
    /// <summary>Initializes the augmenter with MXNet's defaults.</summary>
    /// <param name="minObjectCovered">The least fraction of each touched object that a crop must contain.</param>
    /// <param name="aspectRatioRange">The crop's width/height range; default (0.75, 1.33).</param>
    /// <param name="areaRange">The crop's area as a fraction of the image; default (0.05, 1.0).</param>
    /// <param name="minEjectCoverage">Objects keeping this fraction of their area or less are dropped.</param>
    /// <param name="maxAttempts">Attempts before giving up.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is negative.</exception>
    public DetRandomCropAug(float minObjectCovered = 0.1f, (float Min, float Max)? aspectRatioRange = null, (float Min, float Max)? areaRange = null, float minEjectCoverage = 0.3f, int maxAttempts = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttempts);
        MinObjectCovered = minObjectCovered;
        AspectRatioRange = aspectRatioRange ?? (0.75f, 1.33f);
        AreaRange = areaRange ?? (0.05f, 1.0f);
        MinEjectCoverage = minEjectCoverage;
        MaxAttempts = maxAttempts;
        Enabled = AreaRange.Max > 0 && AreaRange.Min <= AreaRange.Max && AspectRatioRange.Min > 0 && AspectRatioRange.Min <= AspectRatioRange.Max;
    }

    /// <summary>Gets the least fraction of each touched object that a crop must contain.</summary>
    public float MinObjectCovered { get; }

    /// <summary>Gets the crop's aspect-ratio range.</summary>
    public (float Min, float Max) AspectRatioRange { get; }

    /// <summary>Gets the crop's area range, as fractions of the image.</summary>
    public (float Min, float Max) AreaRange { get; }

    /// <summary>Gets the coverage at or below which an object is dropped.</summary>
    public float MinEjectCoverage { get; }

    /// <summary>Gets the attempts before giving up.</summary>
    public int MaxAttempts { get; }

    /// <summary>Gets whether the ranges are valid (else the augmenter does nothing, as MXNet).</summary>
    public bool Enabled { get; }

    /// <inheritdoc />
    public override (NDArray Image, float[,] Label) Apply(NDArray src, float[,] label, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLabel(label);
        (int height, int width, _) = ImageOps.CheckImage(src);
        if (Propose(label, height, width, rng) is not { } crop) return (src, label);
        NDArray cropped;
        using (src)
        {
            cropped = ImageOps.FixedCrop(src, crop.Rect.X, crop.Rect.Y, crop.Rect.Width, crop.Rect.Height);
        }

        return (cropped, crop.Label);
    }

    /// <summary>MXNet's <c>_random_crop_proposal</c>: the crop rectangle in pixels and the new boxes, or null.</summary>
    internal (ImageRect Rect, float[,] Label)? Propose(float[,] label, int height, int width, Random rng)
    {
        if (!Enabled || height <= 0 || width <= 0) return null;
        double minArea = AreaRange.Min * (double)height * width;
        double maxArea = AreaRange.Max * (double)height * width;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            double ratio = Uniform(rng, AspectRatioRange.Min, AspectRatioRange.Max);
            if (ratio <= 0) continue;
            int h = Round(Math.Sqrt(minArea / ratio));
            int maxH = Round(Math.Sqrt(maxArea / ratio));
            if (Round(maxH * ratio) > width) maxH = (int)((width + 0.4999999) / ratio);
            if (maxH > height) maxH = height;
            if (h > maxH) h = maxH;
            if (h < maxH) h = RandInt(rng, h, maxH);
            int w = Round(h * ratio);
            double area = (double)w * h;
            if (area < minArea)
            {
                h++;
                w = Round(h * ratio);
                area = (double)w * h;
            }

            if (area > maxArea)
            {
                h--;
                w = Round(h * ratio);
                area = (double)w * h;
            }

            if (!(minArea <= area && area <= maxArea && w >= 0 && w <= width && h >= 0 && h <= height)) continue;
            int y = RandInt(rng, 0, Math.Max(0, height - h));
            int x = RandInt(rng, 0, Math.Max(0, width - w));
            if (Satisfies(label, x, y, x + w, y + h, width, height) && Update(label, new ImageRect(x, y, w, h), height, width) is { } updated)
            {
                return (new ImageRect(x, y, w, h), updated);
            }
        }

        return null;
    }

    /// <summary>MXNet's <c>_check_satisfy_constraints</c>.</summary>
    private bool Satisfies(float[,] label, int xmin, int ymin, int xmax, int ymax, int width, int height)
    {
        if ((long)(xmax - xmin) * (ymax - ymin) < 2) return false;
        double x1 = (double)xmin / width, y1 = (double)ymin / height, x2 = (double)xmax / width, y2 = (double)ymax / height;
        double least = double.MaxValue;
        bool anyValid = false, anyCovered = false;
        for (int i = 0; i < label.GetLength(0); i++)
        {
            double objectArea = Area(label, i);
            if (objectArea * width * height <= 2) continue;
            anyValid = true;
            double left = Math.Max(label[i, 1], x1), right = Math.Min(label[i, 3], x2);
            double top = Math.Max(label[i, 2], y1), bottom = Math.Min(label[i, 4], y2);
            if (left >= right || top >= bottom) continue;
            double coverage = (right - left) * (bottom - top) / objectArea;
            if (coverage <= 0) continue;
            anyCovered = true;
            least = Math.Min(least, coverage);
        }

        return anyValid && anyCovered && least > MinObjectCovered;
    }

    /// <summary>MXNet's <c>_update_labels</c>: boxes in the crop's coordinates, clipped, without the ejected ones; null when none is left.</summary>
    private float[,]? Update(float[,] label, ImageRect crop, int height, int width)
    {
        double xmin = (double)crop.X / width, ymin = (double)crop.Y / height, w = (double)crop.Width / width, h = (double)crop.Height / height;
        var moved = (float[,])label.Clone();
        int count = label.GetLength(0);
        Span<bool> keep = count <= 256 ? stackalloc bool[count] : new bool[count];
        bool any = false;
        for (int i = 0; i < count; i++)
        {
            moved[i, 1] = (float)Math.Clamp((label[i, 1] - xmin) / w, 0, 1);
            moved[i, 3] = (float)Math.Clamp((label[i, 3] - xmin) / w, 0, 1);
            moved[i, 2] = (float)Math.Clamp((label[i, 2] - ymin) / h, 0, 1);
            moved[i, 4] = (float)Math.Clamp((label[i, 4] - ymin) / h, 0, 1);
            double coverage = Area(moved, i) * w * h / Area(label, i);
            keep[i] = moved[i, 3] > moved[i, 1] && moved[i, 4] > moved[i, 2] && coverage > MinEjectCoverage;
            any |= keep[i];
        }

        return any ? Rows(moved, keep) : null;
    }
}
