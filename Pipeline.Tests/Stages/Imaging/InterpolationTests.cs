using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class InterpolationTests
{
    [Fact]
    public void Values_AreMXNetsCodes()
    {
        Assert.Equal(
            [("Nearest", 0), ("Bilinear", 1), ("Bicubic", 2), ("Area", 3), ("Lanczos4", 4), ("Auto", 9), ("Random", 10)],
            Enum.GetValues<Interpolation>().Select(v => (v.ToString(), (int)v)));
    }

    [Fact]
    public void ResolveInterp_Random_IsOneDrawOfNext0To5()
    {
        var rng = new Random(3);
        var twin = new Random(3);
        var seen = new HashSet<Interpolation>();
        for (int i = 0; i < 200; i++)
        {
            Interpolation drawn = ImageOps.ResolveInterp(Interpolation.Random, (10, 10, 20, 20), rng);
            Assert.Equal((Interpolation)twin.Next(0, 5), drawn);
            seen.Add(drawn);
        }

        Assert.Equal(5, seen.Count);
    }

    [Theory]
    [InlineData(Interpolation.Nearest)]
    [InlineData(Interpolation.Bilinear)]
    [InlineData(Interpolation.Bicubic)]
    [InlineData(Interpolation.Area)]
    [InlineData(Interpolation.Lanczos4)]
    public void ResolveInterp_AResizeMethod_IsItself(Interpolation interp)
    {
        Assert.Equal(interp, ImageOps.ResolveInterp(interp, (10, 10, 20, 20)));
    }

    [Fact]
    public void ResolveInterp_RandomWithoutGenerator_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ImageOps.ResolveInterp(Interpolation.Random));
    }
}
