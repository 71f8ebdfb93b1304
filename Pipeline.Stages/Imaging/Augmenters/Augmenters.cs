// Augmenters/, Geometry/ and Color/ are for finding files; every augmenter stays in the contract namespace Pipeline.Stages.Imaging.
namespace Pipeline.Stages.Imaging;

/// <summary>Builds MXNet's standard augmentation list (<c>mx.image.CreateAugmenter</c>) and holds its ImageNet constants.</summary>
public static class Augmenters
{
    /// <summary>Gets the ImageNet RGB mean on the 0-255 scale (what <c>mean=True</c> means in MXNet).</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [123.68f, 116.28f, 103.53f];

    /// <summary>Gets the ImageNet RGB standard deviation on the 0-255 scale (what <c>std=True</c> means in MXNet).</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [58.395f, 57.12f, 57.375f];

    /// <summary>Gets the ImageNet PCA eigenvalues used by <see cref="LightingAug"/>.</summary>
    public static IReadOnlyList<float> ImageNetEigval { get; } = [55.46f, 4.794f, 1.148f];

    /// <summary>Gets a copy of the ImageNet PCA eigenvectors (row = R, G, B; column = component).</summary>
    public static float[,] ImageNetEigvec => new float[,] { { -0.5675f, 0.7192f, 0.4009f }, { -0.5808f, -0.0045f, -0.8140f }, { -0.5836f, -0.6948f, 0.4203f } };

    /// <summary>Builds the augmenter list in <c>CreateAugmenter</c>'s order: resize, crop, mirror, cast, colour jitter, hue, lighting, gray, normalize.</summary>
    /// <param name="dataShape">The output (C, H, W); the crop is (W, H).</param>
    /// <param name="resize">Resize the shorter side to this first (0 = no).</param>
    /// <param name="randCrop">Crop a random region instead of the centre.</param>
    /// <param name="randResize">Crop a random area and aspect ratio (Inception-style); needs <paramref name="randCrop"/>.</param>
    /// <param name="randMirror">Mirror with probability 0.5.</param>
    /// <param name="mean">The per-channel mean to subtract (see <see cref="ImageNetMean"/>), or <see langword="null"/>.</param>
    /// <param name="std">The per-channel standard deviation to divide by (see <see cref="ImageNetStd"/>), or <see langword="null"/>.</param>
    /// <param name="brightness">The brightness jitter strength.</param>
    /// <param name="contrast">The contrast jitter strength.</param>
    /// <param name="saturation">The saturation jitter strength.</param>
    /// <param name="hue">The hue jitter strength.</param>
    /// <param name="pcaNoise">The PCA lighting noise standard deviation.</param>
    /// <param name="randGray">The probability of turning the image gray.</param>
    /// <param name="interMethod">The interpolation (default <see cref="Interpolation.Bicubic"/>, MXNet's Python default 2).</param>
    /// <returns>The augmenters, in order.</returns>
    /// <exception cref="ArgumentException"><paramref name="dataShape"/> is not (C, H, W), or <paramref name="randResize"/> is set without <paramref name="randCrop"/>, or mean/std have neither 1 nor 3 values.</exception>
    public static IReadOnlyList<Augmenter> Create(
        int[] dataShape,
        int resize = 0,
        bool randCrop = false,
        bool randResize = false,
        bool randMirror = false,
        float[]? mean = null,
        float[]? std = null,
        float brightness = 0,
        float contrast = 0,
        float saturation = 0,
        float hue = 0,
        float pcaNoise = 0,
        float randGray = 0,
        Interpolation interMethod = Interpolation.Bicubic)
    {
        ArgumentNullException.ThrowIfNull(dataShape);
        if (dataShape.Length != 3 || dataShape[1] <= 0 || dataShape[2] <= 0)
        {
            throw new ArgumentException("dataShape must be (channels, height, width) with positive sizes.", nameof(dataShape));
        }

        if (randResize && !randCrop) throw new ArgumentException("randResize needs randCrop (MXNet asserts the same).", nameof(randResize));
        var list = new List<Augmenter>();
        if (resize > 0) list.Add(new ResizeAug(resize, interMethod));
        (int Width, int Height) crop = (dataShape[2], dataShape[1]);
        if (randResize)
        {
            list.Add(new RandomSizedCropAug(crop, 0.08, (3.0 / 4.0, 4.0 / 3.0), interMethod));
        }
        else if (randCrop)
        {
            list.Add(new RandomCropAug(crop, interMethod));
        }
        else
        {
            list.Add(new CenterCropAug(crop, interMethod));
        }

        if (randMirror) list.Add(new HorizontalFlipAug(0.5));
        list.AddRange(ColorSteps(brightness, contrast, saturation, hue, pcaNoise, randGray, mean, std));
        return list;
    }

    /// <summary>The steps after the geometry, in the order of MXNet's <c>CreateAugmenter</c> (its <c>CreateDetAugmenter</c> uses the
    /// same): cast to float32, then brightness/contrast/saturation jitter, hue, PCA lighting, gray and normalization where asked.</summary>
    internal static IEnumerable<Augmenter> ColorSteps(float brightness, float contrast, float saturation, float hue, float pcaNoise, float randGray, float[]? mean, float[]? std)
    {
        yield return new CastAug();
        if (brightness > 0 || contrast > 0 || saturation > 0) yield return new ColorJitterAug(brightness, contrast, saturation);
        if (hue > 0) yield return new HueJitterAug(hue);
        if (pcaNoise > 0) yield return new LightingAug(pcaNoise, [.. ImageNetEigval], ImageNetEigvec);
        if (randGray > 0) yield return new RandomGrayAug(randGray);
        if (mean is not null || std is not null) yield return new ColorNormalizeAug(mean, std);
    }
}
