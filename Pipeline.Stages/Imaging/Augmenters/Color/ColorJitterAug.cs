namespace Pipeline.Stages.Imaging;

/// <summary>Brightness, contrast and saturation jitter in a random order, as MXNet's <c>ColorJitterAug</c> (only the non-zero ones).</summary>
public sealed class ColorJitterAug : RandomOrderAug
{
    /// <summary>Initializes the augmenter.</summary>
    /// <param name="brightness">The brightness strength (0 to leave out).</param>
    /// <param name="contrast">The contrast strength (0 to leave out).</param>
    /// <param name="saturation">The saturation strength (0 to leave out).</param>
    public ColorJitterAug(float brightness, float contrast, float saturation)
        : base(Jitters(brightness, contrast, saturation))
    {
        Brightness = brightness;
        Contrast = contrast;
        Saturation = saturation;
    }

    /// <summary>Gets the brightness strength.</summary>
    public float Brightness { get; }

    /// <summary>Gets the contrast strength.</summary>
    public float Contrast { get; }

    /// <summary>Gets the saturation strength.</summary>
    public float Saturation { get; }

    private static Augmenter[] Jitters(float brightness, float contrast, float saturation)
    {
        var list = new List<Augmenter>(3);
        if (brightness > 0) list.Add(new BrightnessJitterAug(brightness));
        if (contrast > 0) list.Add(new ContrastJitterAug(contrast));
        if (saturation > 0) list.Add(new SaturationJitterAug(saturation));
        return [.. list];
    }
}
