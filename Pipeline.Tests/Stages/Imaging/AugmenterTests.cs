using Pipeline.Core;
using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class AugmenterTests
{
    [Fact]
    public void Create_FullOptions_BuildsMXNetsOrder()
    {
        IReadOnlyList<Augmenter> list = Augmenters.Create(
            [3, 224, 224], resize: 256, randCrop: true, randResize: true, randMirror: true,
            mean: [.. Augmenters.ImageNetMean], std: [.. Augmenters.ImageNetStd],
            brightness: 0.1f, contrast: 0.1f, saturation: 0.1f, hue: 0.1f, pcaNoise: 0.1f, randGray: 0.2f);
        Assert.Equal(
            [typeof(ResizeAug), typeof(RandomSizedCropAug), typeof(HorizontalFlipAug), typeof(CastAug), typeof(ColorJitterAug), typeof(HueJitterAug), typeof(LightingAug), typeof(RandomGrayAug), typeof(ColorNormalizeAug)],
            list.Select(a => a.GetType()));
        Assert.Equal("resizeaug", list[0].ToString());
        Assert.Equal(3, ((ColorJitterAug)list[4]).Augmenters.Count);
        Assert.Equal((224, 224), ((RandomSizedCropAug)list[1]).Size);
    }

    [Fact]
    public void Create_Defaults_CenterCropThenCast()
    {
        IReadOnlyList<Augmenter> list = Augmenters.Create([3, 32, 48]);
        Assert.Equal([typeof(CenterCropAug), typeof(CastAug)], list.Select(a => a.GetType()));
        Assert.Equal((48, 32), ((CenterCropAug)list[0]).Size);
        Assert.Equal(Interpolation.Bicubic, ((CenterCropAug)list[0]).Interp);
        Assert.Throws<ArgumentException>(() => Augmenters.Create([3, 32, 32], randResize: true));
        Assert.Throws<ArgumentException>(() => Augmenters.Create([32, 32]));
        Assert.Equal([123.68f, 116.28f, 103.53f], Augmenters.ImageNetMean);
        Assert.Equal([58.395f, 57.12f, 57.375f], Augmenters.ImageNetStd);
    }

    [Fact]
    public void Lighting_SpecVector()
    {
        var lighting = new LightingAug(0.1f, [.. Augmenters.ImageNetEigval], Augmenters.ImageNetEigvec);
        Span<float> offset = stackalloc float[3];
        lighting.Offset([0.1f, -0.2f, 0.05f], offset);
        Assert.Equal(-3.8139f, offset[0], 3e-3f);
        Assert.Equal(-3.2635f, offset[1], 3e-3f);
        Assert.Equal(-2.5463f, offset[2], 3e-3f);
    }

    [Fact]
    public void Flip_MirrorsRows()
    {
        using NDArray image = NDArray.From(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }, 2, 2, 3);
        NDArray flipped = new HorizontalFlipAug(1).Apply(image, new Random(1));
        Assert.Same(image, flipped);
        Assert.Equal([4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9], flipped.ToArray<byte>());
        Assert.Same(image, new HorizontalFlipAug(0).Apply(image, new Random(1)));
    }

    [Fact]
    public void ColorSteps_FollowMXNetsFormulas()
    {
        float[] pixel = [100, 50, 200];
        using NDArray image = NDArray.From(pixel, 1, 1, 3);
        var rng = new SeededRandom(5);
        float alpha = 1f + (float)(-0.3 + (0.6 * new SeededRandom(5).NextDouble()));
        NDArray bright = new BrightnessJitterAug(0.3f).Apply(image, rng);
        Assert.Equal(pixel.Select(v => v * alpha), bright.ToArray<float>(), new FloatEqual(1e-3f));

        using NDArray gray = new RandomGrayAug(1).Apply(NDArray.From(new float[] { 100, 50, 200 }, 1, 1, 3), new Random(1));
        float g = (0.21f * 100) + (0.72f * 50) + (0.07f * 200);
        Assert.Equal([g, g, g], gray.ToArray<float>(), new FloatEqual(1e-3f));

        using NDArray same = new HueJitterAug(0f).Apply(NDArray.From(new float[] { 100, 50, 200 }, 1, 1, 3), new Random(1));
        Assert.Equal([100f, 50, 200], same.ToArray<float>(), new FloatEqual(0.5f));
    }

    [Fact]
    public void Cast_ConvertsAndDisposesTheInput()
    {
        NDArray bytes = NDArray.From(new byte[] { 1, 2, 3 }, 1, 1, 3);
        using NDArray floats = new CastAug().Apply(bytes, new Random(1));
        Assert.Equal(DType.Float32, floats.DType);
        Assert.Equal([1f, 2, 3], floats.ToArray<float>());
        Assert.Throws<ObjectDisposedException>(() => bytes.AsSpan<byte>());
    }

    [Fact]
    public void FullChain_SameSeed_SameOutput_DifferentSeed_DifferentOutput()
    {
        IReadOnlyList<Augmenter> list = Augmenters.Create(
            [3, 24, 24], resize: 32, randCrop: true, randResize: true, randMirror: true,
            mean: [.. Augmenters.ImageNetMean], std: [.. Augmenters.ImageNetStd],
            brightness: 0.3f, contrast: 0.3f, saturation: 0.3f, hue: 0.3f, pcaNoise: 0.1f, randGray: 0.2f);
        var chain = new SequentialAug(list);
        float[] Run(long seed)
        {
            byte[] pixels = new byte[40 * 50 * 3];
            new Random(9).NextBytes(pixels);
            using NDArray result = chain.Apply(NDArray.From(pixels, 40, 50, 3), SeededRandom.For(seed, 0, 17));
            Assert.Equal([24, 24, 3], result.Shape);
            return result.ToArray<float>();
        }

        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResizeAug(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ResizeAug(10, (Interpolation)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomCropAug((0, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HorizontalFlipAug(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomSizedCropAug((3, 3), 0, (1, 1)));
        Assert.Throws<ArgumentException>(() => new ColorNormalizeAug([1, 2], null));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BrightnessJitterAug(-1));
    }

    private sealed class FloatEqual(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
