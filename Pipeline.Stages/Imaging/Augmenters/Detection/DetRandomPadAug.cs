using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Places the image on a larger canvas of a constant colour at a random position (zoom out), moving the boxes with it, as MXNet's <c>DetRandomPadAug</c>.</summary>
/// <remarks>
/// Each attempt draws an aspect ratio from <see cref="AspectRatioRange"/> and a canvas area from <see cref="AreaRange"/> (multiples of the image's
/// area); a canvas that adds fewer than 2 pixels on either axis is refused. After <see cref="MaxAttempts"/> refusals the image is unchanged.
/// Invalid ranges (an area range not above 1, a ratio range not positive) disable the augmenter, as MXNet.
/// </remarks>
public sealed class DetRandomPadAug : DetAugmenter
{
    /// <summary>Initializes the augmenter with MXNet's defaults.</summary>
    /// <param name="aspectRatioRange">The canvas's width/height range; default (0.75, 1.33).</param>
    /// <param name="areaRange">The canvas's area as a multiple of the image's; default (1.0, 3.0).</param>
    /// <param name="maxAttempts">Attempts before giving up.</param>
    /// <param name="padVal">The canvas colour: one value, or one per channel; default (128, 128, 128).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttempts"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="padVal"/> is empty.</exception>
    public DetRandomPadAug((float Min, float Max)? aspectRatioRange = null, (float Min, float Max)? areaRange = null, int maxAttempts = 50, float[]? padVal = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttempts);
        if (padVal is { Length: 0 }) throw new ArgumentException("The pad colour needs at least one value.", nameof(padVal));
        AspectRatioRange = aspectRatioRange ?? (0.75f, 1.33f);
        AreaRange = areaRange ?? (1.0f, 3.0f);
        MaxAttempts = maxAttempts;
        PadVal = padVal is null ? [128, 128, 128] : [.. padVal];
        Enabled = AreaRange.Max > 1 && AreaRange.Min <= AreaRange.Max && AspectRatioRange.Min > 0 && AspectRatioRange.Min <= AspectRatioRange.Max;
    }

    /// <summary>Gets the canvas's aspect-ratio range.</summary>
    public (float Min, float Max) AspectRatioRange { get; }

    /// <summary>Gets the canvas's area range, as multiples of the image's area.</summary>
    public (float Min, float Max) AreaRange { get; }

    /// <summary>Gets the attempts before giving up.</summary>
    public int MaxAttempts { get; }

    /// <summary>Gets the canvas colour.</summary>
    public IReadOnlyList<float> PadVal { get; }

    /// <summary>Gets whether the ranges are valid (else the augmenter does nothing, as MXNet).</summary>
    public bool Enabled { get; }

    /// <inheritdoc />
    public override (NDArray Image, float[,] Label) Apply(NDArray src, float[,] label, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckLabel(label);
        (int height, int width, int channels) = ImageOps.CheckImage(src);
        if (Propose(height, width, rng) is not { } canvas) return (src, label);
        if (PadVal.Count != 1 && PadVal.Count != channels) throw new ImagingException($"DetRandomPadAug has {PadVal.Count} pad values for a {channels}-channel image.");
        float[] values = [.. PadVal];
        NDArray padded;
        using (src)
        {
            padded = ImageOps.CropWithFill(src, new ImageRect(-canvas.X, -canvas.Y, canvas.Width, canvas.Height), values);
        }

        return (padded, Move(label, canvas, height, width));
    }

    /// <summary>MXNet's <c>_random_pad_proposal</c>: the canvas (the image's corner at (X, Y) in it, its size), or null.</summary>
    internal ImageRect? Propose(int height, int width, Random rng)
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
            if (Round(h * ratio) < width) h = (int)((width + 0.499999) / ratio);
            if (h < height) h = height;
            if (h > maxH) h = maxH;
            if (h < maxH) h = RandInt(rng, h, maxH);
            int w = Round(h * ratio);
            if (h - height < 2 || w - width < 2) continue;
            int y = RandInt(rng, 0, Math.Max(0, h - height));
            int x = RandInt(rng, 0, Math.Max(0, w - width));
            ImageOps.CheckOutputSize(h, w);
            return new ImageRect(x, y, w, h);
        }

        return null;
    }

    /// <summary>MXNet's <c>_update_labels</c>: boxes in the canvas's coordinates.</summary>
    private static float[,] Move(float[,] label, ImageRect canvas, int height, int width)
    {
        var moved = (float[,])label.Clone();
        for (int i = 0; i < label.GetLength(0); i++)
        {
            moved[i, 1] = (float)(((label[i, 1] * (double)width) + canvas.X) / canvas.Width);
            moved[i, 3] = (float)(((label[i, 3] * (double)width) + canvas.X) / canvas.Width);
            moved[i, 2] = (float)(((label[i, 2] * (double)height) + canvas.Y) / canvas.Height);
            moved[i, 4] = (float)(((label[i, 4] * (double)height) + canvas.Y) / canvas.Height);
        }

        return moved;
    }
}
