using Pipeline.Core;
using Pipeline.Stages.Imaging;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Stages.Imaging;

/// <summary>ContactSheet: NCHW and NHWC, float and uint8, gray and colour, labels, and what it refuses.</summary>
public sealed class ContactSheetTests
{
    [Fact]
    public void Render_NchwFloatWithMeanStd_DenormalizesEachTileIntoItsCell()
    {
        // Two 2x3 RGB images; image i, channel c holds (10i + c - mean) / std everywhere.
        float[] mean = [100, 110, 120];
        float[] std = [2, 4, 8];
        var values = new float[2 * 3 * 2 * 3];
        for (int i = 0; i < 2; i++) for (int c = 0; c < 3; c++) for (int p = 0; p < 6; p++) values[(((i * 3) + c) * 6) + p] = ((10 * i) + c + 50 - mean[c]) / std[c];
        using var batch = new DataBatch([NDArray.From(values, 2, 3, 2, 3)], [NDArray.From(new[] { 7f, 3.5f }, 2)]);
        using NDArray sheet = ContactSheet.Render(batch, new ContactSheetOptions { Columns = 2, Mean = mean, Std = std });

        // Cells are (width + 2) wide and (caption 9 + height + 2) high; a tile starts 1 pixel in, below its caption.
        Assert.Equal([1 * (9 + 2 + 2), 2 * (3 + 2), 3], sheet.Shape);
        ReadOnlySpan<byte> pixels = sheet.AsSpan<byte>();
        int stride = 10 * 3;
        Assert.Equal([50, 51, 52], pixels.Slice((((1 + 9) * 10) + 1) * 3, 3).ToArray());
        Assert.Equal([60, 61, 62], pixels.Slice((((1 + 9 + 1) * 10) + 5 + 1 + 2) * 3, 3).ToArray());
        Assert.Equal(255, pixels[stride * 0]);

        // The label "7" is drawn in black above the first tile (its glyph's top row is solid).
        Assert.Equal([0, 0, 0], pixels.Slice(((2 * 10) + 1) * 3, 3).ToArray());
    }

    [Fact]
    public void Render_NhwcUInt8Gray_ReplicatesTheChannelAndInfersTheLayout()
    {
        // (3, 6, 5, 1): axis 1 (6) cannot be channels, axis 3 (1) can, so NHWC.
        byte[] values = [.. Enumerable.Range(0, 3 * 6 * 5).Select(v => (byte)v)];
        using var batch = new DataBatch([NDArray.From(values, 3, 6, 5, 1)]);
        using NDArray sheet = ContactSheet.Render(batch, new ContactSheetOptions { Columns = 8 });
        Assert.Equal([6 + 2, 3 * (5 + 2), 3], sheet.Shape);    // no labels: no caption; 3 columns for 3 images
        ReadOnlySpan<byte> pixels = sheet.AsSpan<byte>();
        int at = (((1 + 2) * 21) + (2 * 7) + 1 + 4) * 3;      // image 2, row 2, column 4
        Assert.Equal(Enumerable.Repeat(values[(2 * 30) + (2 * 5) + 4], 3), pixels.Slice(at, 3).ToArray());
    }

    [Fact]
    public void Save_FloatsInUnitRange_AreScaledAndWrittenAsPng()
    {
        using var dir = new TempDirectory();
        using var batch = new DataBatch([NDArray.From(Enumerable.Repeat(0.5f, 4 * 3 * 8 * 8).ToArray(), 4, 3, 8, 8)], [NDArray.From(new float[] { 0, 1, 2, 3 }, 4)]);
        (int width, int height) = ContactSheet.Save(batch, dir.File("sheet.png"), new ContactSheetOptions { Columns = 2 });
        Assert.Equal((2 * 10, 2 * (8 + 9 + 2)), (width, height));
        using NDArray back = ImageOps.Read(dir.File("sheet.png"));
        Assert.Equal([height, width, 3], back.Shape);
        Assert.Equal(128, back.AsSpan<byte>()[((((1 + 9) * width) + 1) * 3) + 1]);
    }

    [Theory]
    [InlineData(DetectionBoxes.ObjectRows)]
    [InlineData(DetectionBoxes.RecordRows)]
    public void Render_DetectionLabels_DrawsEachTilesBoxesInsideItsCell(DetectionBoxes layout)
    {
        // Two black 40x40 tiles; the second has one object of class 5 at (0.25, 0.5)-(0.75, 1).
        using var data = NDArray.Zeros(DType.UInt8, 2, 40, 40, 3);
        float[] objects = [5, 0.25f, 0.5f, 0.75f, 1f];
        float[] rows = layout == DetectionBoxes.ObjectRows
            ? [-1, -1, -1, -1, -1, .. objects]
            : [3, 40, 40, 2, 2, 5, -1, -1, -1, -1, -1, 3, 40, 40, 7, 2, 5, .. objects];
        using NDArray label = layout == DetectionBoxes.ObjectRows ? NDArray.From(rows, 2, 1, 5) : NDArray.From(rows, 2, 11);
        using var batch = new DataBatch([data], [label]);
        using NDArray sheet = ContactSheet.Render(batch, new ContactSheetOptions { Columns = 2, Boxes = layout });

        // No caption row with boxes: cells are 42 x 42, a tile starts at (1, 1).
        Assert.Equal([42, 84, 3], sheet.Shape);
        ReadOnlySpan<byte> pixels = sheet.AsSpan<byte>();
        byte[] Pixel(ReadOnlySpan<byte> p, int x, int y) => p.Slice(((y * 84) + x) * 3, 3).ToArray();
        int tileX = 43;
        Assert.Equal(BoxDrawing.ClassColour(5), Pixel(pixels, tileX + 10, 1 + 39));
        Assert.Equal(BoxDrawing.ClassColour(5), Pixel(pixels, tileX + 29, 1 + 30));
        Assert.Equal(new byte[3], Pixel(pixels, tileX + 20, 1 + 30));
        Assert.Equal(new byte[3], Pixel(pixels, 20, 30));
    }

    [Fact]
    public void Render_NotAnImageBatch_ThrowsNamingTheShape()
    {
        using var flat = new DataBatch([NDArray.From(new float[12], 4, 3)]);
        Assert.Contains("(4, 3)", Assert.Throws<ArgumentException>(() => ContactSheet.Render(flat)).Message, StringComparison.Ordinal);
        using var ints = new DataBatch([NDArray.Zeros(DType.Int32, 1, 3, 2, 2)]);
        Assert.Contains("Int32", Assert.Throws<ArgumentException>(() => ContactSheet.Render(ints)).Message, StringComparison.Ordinal);
        using var images = new DataBatch([NDArray.Zeros(DType.UInt8, 1, 3, 2, 2)]);
        Assert.Throws<ArgumentException>(() => ContactSheet.Render(images, new ContactSheetOptions { Layout = "CHWN" }));
    }
}
