using Pipeline.Stages.Imaging;

namespace Pipeline.Tests.Stages.Imaging;

public sealed class BorderTypeTests
{
    [Fact]
    public void Values_AreOpenCVsBorderCodes()
    {
        Assert.Equal(
            [("Constant", 0), ("Replicate", 1), ("Reflect", 2), ("Wrap", 3), ("Reflect101", 4)],
            Enum.GetValues<BorderType>().Select(v => (v.ToString(), (int)v)));
    }
}
