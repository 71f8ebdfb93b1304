namespace Pipeline.Stages.Imaging;

/// <summary>Builds MXNet's detection augmentation list (<c>mx.image.CreateDetAugmenter</c>) and its multi-sampler crop (<c>CreateMultiRandCropAugmenter</c>).</summary>
public static class DetAugmenters
{
    /// <summary>Builds the augmenter list in <c>CreateDetAugmenter</c>'s order: resize, random crop, mirror, random pad, force resize, cast, colour jitter, hue, lighting, gray, normalize.</summary>
    /// <param name="dataShape">The output (C, H, W).</param>
    /// <param name="resize">Resize the shorter side to this first (0 = no).</param>
    /// <param name="randCrop">The probability, 0 to 1, of a random crop.</param>
    /// <param name="randPad">The probability, 0 to 1, of a random pad.</param>
    /// <param name="randGray">The probability of turning the image gray.</param>
    /// <param name="randMirror">Mirror with probability 0.5.</param>
    /// <param name="mean">The per-channel mean to subtract (see <see cref="Augmenters.ImageNetMean"/>), or <see langword="null"/>.</param>
    /// <param name="std">The per-channel standard deviation (see <see cref="Augmenters.ImageNetStd"/>), or <see langword="null"/>.</param>
    /// <param name="brightness">The brightness jitter strength.</param>
    /// <param name="contrast">The contrast jitter strength.</param>
    /// <param name="saturation">The saturation jitter strength.</param>
    /// <param name="pcaNoise">The PCA lighting noise standard deviation.</param>
    /// <param name="hue">The hue jitter strength.</param>
    /// <param name="interMethod">The interpolation of every resize (default <see cref="Interpolation.Bicubic"/>, MXNet's 2).</param>
    /// <param name="minObjectCovered">The crop samplers' least covered fraction of each touched object, one value per sampler; default [0.1].</param>
    /// <param name="aspectRatioRange">The aspect-ratio range of crops and pads; default (0.75, 1.33).</param>
    /// <param name="areaRange">The crops' area range (fractions of the image); its upper end is also the pad's largest area multiple; default (0.05, 3.0).</param>
    /// <param name="minEjectCoverage">Objects keeping this fraction of their area or less after a crop are dropped.</param>
    /// <param name="maxAttempts">Attempts of each crop or pad before giving up.</param>
    /// <param name="padVal">The pad colour; default (127, 127, 127).</param>
    /// <returns>The augmenters, in order.</returns>
    /// <exception cref="ArgumentException"><paramref name="dataShape"/> is not (C, H, W) or mean/std have neither 1 nor 3 values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A probability is outside [0, 1].</exception>
    public static IReadOnlyList<DetAugmenter> Create(
        int[] dataShape,
        int resize = 0,
        float randCrop = 0,
        float randPad = 0,
        float randGray = 0,
        bool randMirror = false,
        float[]? mean = null,
        float[]? std = null,
        float brightness = 0,
        float contrast = 0,
        float saturation = 0,
        float pcaNoise = 0,
        float hue = 0,
        Interpolation interMethod = Interpolation.Bicubic,
        float[]? minObjectCovered = null,
        (float Min, float Max)? aspectRatioRange = null,
        (float Min, float Max)? areaRange = null,
        float minEjectCoverage = 0.3f,
        int maxAttempts = 50,
        float[]? padVal = null)
    {
        ArgumentNullException.ThrowIfNull(dataShape);
        if (dataShape.Length != 3 || dataShape[1] <= 0 || dataShape[2] <= 0) throw new ArgumentException("dataShape must be (channels, height, width) with positive sizes.", nameof(dataShape));
        Probability(randCrop, nameof(randCrop));
        Probability(randPad, nameof(randPad));
        Probability(randGray, nameof(randGray));
        (float Min, float Max) ratios = aspectRatioRange ?? (0.75f, 1.33f);
        (float Min, float Max) areas = areaRange ?? (0.05f, 3.0f);
        var list = new List<DetAugmenter>();
        if (resize > 0) list.Add(new DetBorrowAug(new ResizeAug(resize, interMethod)));
        if (randCrop > 0)
        {
            list.Add(CreateMultiRandCrop(minObjectCovered ?? [0.1f], [ratios], [areas], [minEjectCoverage], [maxAttempts], skipProb: 1 - randCrop));
        }

        if (randMirror) list.Add(new DetHorizontalFlipAug(0.5));

        // As MXNet: pad as late as possible, where the image is smallest.
        if (randPad > 0)
        {
            var pad = new DetRandomPadAug(ratios, (1.0f, areas.Max), maxAttempts, padVal ?? [127, 127, 127]);
            list.Add(new DetRandomSelectAug([pad], 1 - randPad));
        }

        list.Add(new DetBorrowAug(new ForceResizeAug((dataShape[2], dataShape[1]), interMethod)));
        foreach (Augmenter step in Augmenters.ColorSteps(brightness, contrast, saturation, hue, pcaNoise, randGray, mean, std)) list.Add(new DetBorrowAug(step));
        return list;
    }

    /// <summary>Builds one <see cref="DetRandomCropAug"/> per sampler inside a <see cref="DetRandomSelectAug"/>, as MXNet's <c>CreateMultiRandCropAugmenter</c>: a parameter with one value applies to every sampler.</summary>
    /// <param name="minObjectCovered">Per sampler, the least covered fraction of each touched object.</param>
    /// <param name="aspectRatioRange">Per sampler, the aspect-ratio range.</param>
    /// <param name="areaRange">Per sampler, the area range.</param>
    /// <param name="minEjectCoverage">Per sampler, the ejection coverage.</param>
    /// <param name="maxAttempts">Per sampler, the attempts.</param>
    /// <param name="skipProb">The probability of no crop.</param>
    /// <returns>The selecting augmenter.</returns>
    /// <exception cref="ArgumentException">Two parameters have different counts above 1, or one is empty.</exception>
    public static DetRandomSelectAug CreateMultiRandCrop(
        IReadOnlyList<float> minObjectCovered,
        IReadOnlyList<(float Min, float Max)> aspectRatioRange,
        IReadOnlyList<(float Min, float Max)> areaRange,
        IReadOnlyList<float> minEjectCoverage,
        IReadOnlyList<int> maxAttempts,
        double skipProb = 0)
    {
        ArgumentNullException.ThrowIfNull(minObjectCovered);
        ArgumentNullException.ThrowIfNull(aspectRatioRange);
        ArgumentNullException.ThrowIfNull(areaRange);
        ArgumentNullException.ThrowIfNull(minEjectCoverage);
        ArgumentNullException.ThrowIfNull(maxAttempts);
        int count = Math.Max(Math.Max(Math.Max(minObjectCovered.Count, aspectRatioRange.Count), Math.Max(areaRange.Count, minEjectCoverage.Count)), maxAttempts.Count);
        Aligned(minObjectCovered.Count, count, nameof(minObjectCovered));
        Aligned(aspectRatioRange.Count, count, nameof(aspectRatioRange));
        Aligned(areaRange.Count, count, nameof(areaRange));
        Aligned(minEjectCoverage.Count, count, nameof(minEjectCoverage));
        Aligned(maxAttempts.Count, count, nameof(maxAttempts));
        var crops = new DetAugmenter[count];
        for (int i = 0; i < count; i++)
        {
            crops[i] = new DetRandomCropAug(
                minObjectCovered[Math.Min(i, minObjectCovered.Count - 1)],
                aspectRatioRange[Math.Min(i, aspectRatioRange.Count - 1)],
                areaRange[Math.Min(i, areaRange.Count - 1)],
                minEjectCoverage[Math.Min(i, minEjectCoverage.Count - 1)],
                maxAttempts[Math.Min(i, maxAttempts.Count - 1)]);
        }

        return new DetRandomSelectAug(crops, skipProb);
    }

    private static void Aligned(int length, int count, string name)
    {
        if (length == 0 || (length != 1 && length != count)) throw new ArgumentException($"{name} has {length} values; give 1 or one per sampler ({count}).", name);
    }

    private static void Probability(float p, string name)
    {
        if (p is not (>= 0 and <= 1)) throw new ArgumentOutOfRangeException(name, p, $"{name} is a probability in [0, 1].");
    }
}
