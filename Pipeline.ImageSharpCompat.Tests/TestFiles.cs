namespace Pipeline.ImageSharpCompat.Tests;

/// <summary>The golden im2rec output these tests read, linked from Pipeline.Tests/TestData (made by MXNet's im2rec.py, resize 64, quality 90).</summary>
internal static class TestFiles
{
    public const int GoldenRecords = 24;

    public static readonly string GoldenRec = Path.Combine(AppContext.BaseDirectory, "TestData", "im2rec-resize64-q90.rec");
}
