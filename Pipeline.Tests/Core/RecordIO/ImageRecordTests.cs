using System.Globalization;
using System.Text.Json;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.RecordIO;

/// <summary>MXNet's <c>pack</c>/<c>unpack</c>: the golden vectors and the ports of <c>test_recordio.py</c>.</summary>
public sealed class ImageRecordTests
{
    public static TheoryData<int> VectorIndices
    {
        get
        {
            using JsonDocument vectors = TestFiles.Json(TestFiles.PackVectors);
            var data = new TheoryData<int>();
            for (int i = 0; i < vectors.RootElement.GetProperty("vectors").GetArrayLength(); i++) data.Add(i);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(VectorIndices))]
    public void Pack_GoldenVector_GivesExactBytesAndUnpacksBack(int index)
    {
        using JsonDocument vectors = TestFiles.Json(TestFiles.PackVectors);
        JsonElement vector = vectors.RootElement.GetProperty("vectors")[index];
        JsonElement input = vector.GetProperty("input");
        JsonElement label = input.GetProperty("label");
        var header = new ImageRecordHeader(
            input.GetProperty("flag").GetUInt32(),
            label.GetProperty("kind").GetString() == "scalar" ? ParseFloat(label.GetProperty("value")) : 0f,
            ulong.Parse(input.GetProperty("id").GetString()!, CultureInfo.InvariantCulture),
            ulong.Parse(input.GetProperty("id2").GetString()!, CultureInfo.InvariantCulture))
        {
            Labels = label.GetProperty("kind").GetString() == "array" ? label.GetProperty("values").EnumerateArray().Select(ParseFloat).ToArray() : null,
        };
        byte[] payload = Convert.FromHexString(input.GetProperty("payload_hex").GetString()!);

        byte[] packed = ImageRecord.Pack(header, payload);

        Assert.Equal(vector.GetProperty("packed_hex").GetString(), Convert.ToHexStringLower(packed));
        (ImageRecordHeader unpacked, ReadOnlyMemory<byte> unpackedPayload) = ImageRecord.Unpack(packed);
        JsonElement expected = vector.GetProperty("unpacked");
        Assert.Equal(expected.GetProperty("flag").GetUInt32(), unpacked.Flag);
        JsonElement expectedLabel = expected.GetProperty("label");
        if (expectedLabel.GetProperty("kind").GetString() == "scalar")
        {
            Assert.Null(unpacked.Labels);
            Assert.Equal(expectedLabel.GetProperty("value_f32_hex").GetString(), Hex(unpacked.Label));
        }
        else
        {
            Assert.Equal(expectedLabel.GetProperty("values_f32_hex").EnumerateArray().Select(e => e.GetString()), unpacked.Labels!.Select(Hex));
        }

        Assert.Equal(expected.GetProperty("payload_hex").GetString(), Convert.ToHexStringLower(unpackedPayload.Span));
    }

    [Fact]
    public void Pack_TutorialScalar_IsTheDocumentedBytes()
    {
        byte[] packed = ImageRecord.Pack(new ImageRecordHeader(0, 1.0f, 1, 0), "data"u8);
        Assert.Equal("000000000000803f0100000000000000000000000000000064617461", Convert.ToHexStringLower(packed));
    }

    [Fact]
    public void Pack_TutorialArray_IsTheDocumentedBytesAndFramesAsDocumented()
    {
        byte[] scalar = ImageRecord.Pack(new ImageRecordHeader(0, 1.0f, 1, 0), "data"u8);
        byte[] array = ImageRecord.Pack(new ImageRecordHeader(0, 0f, 2, 0) { Labels = [1f, 2f, 3f] }, "data"u8);
        Assert.Equal("03000000" + "00000000" + "0200000000000000" + "0000000000000000" + "0000803f" + "00000040" + "00004040" + "64617461", Convert.ToHexStringLower(array));

        using var temp = new TempDirectory();
        using (var writer = new IndexedRecordIOWriter(temp.File("t.idx"), temp.File("t.rec")))
        {
            writer.WriteIdx(1, scalar);
            writer.WriteIdx(2, array);
            Assert.Equal(84, writer.Position);
        }

        Assert.Equal("1\t0\n2\t36\n", File.ReadAllText(temp.File("t.idx")));
        byte[] rec = File.ReadAllBytes(temp.File("t.rec"));
        Assert.Equal("0a23d7ce1c000000", Convert.ToHexStringLower(rec.AsSpan(0, 8)));
        Assert.Equal("0a23d7ce28000000", Convert.ToHexStringLower(rec.AsSpan(36, 8)));
        using var reader = new IndexedRecordIOReader(temp.File("t.idx"), temp.File("t.rec"));
        (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(reader.ReadIdx(2));
        Assert.Equal(3u, header.Flag);
        Assert.Equal([1f, 2f, 3f], header.Labels!);
        Assert.Equal("data"u8.ToArray(), payload.ToArray());
    }

    [Fact]
    public void Pack_ScalarLabelWithFlag_ForcesFlagZero()
    {
        byte[] packed = ImageRecord.Pack(new ImageRecordHeader(7, 5f, 1, 0), [1, 2]);
        Assert.Equal(0u, ImageRecordHeader.Parse(packed).Flag);
    }

    [Fact]
    public void PackUnpack_LabelWidths1To254AndPayloads0To254_RoundTrip()
    {
        // Port of MXNet's test_recordio_pack_label.
        var random = new Random(11);
        for (int width = 1; width < 255; width++)
        {
            float[] labels = Enumerable.Range(0, width).Select(_ => (float)random.NextDouble()).ToArray();
            byte[] payload = new byte[width];
            random.NextBytes(payload);
            byte[] packed = ImageRecord.Pack(new ImageRecordHeader(0, 0f, (ulong)width, 0) { Labels = labels }, payload);
            (ImageRecordHeader header, ReadOnlyMemory<byte> back) = ImageRecord.Unpack(packed);
            Assert.Equal((uint)width, header.Flag);
            Assert.Equal(labels, header.Labels!);
            Assert.Equal(payload, back.ToArray());
        }
    }

    [Fact]
    public void Unpack_ShorterThanHeader_ThrowsRecordFormatException()
    {
        var error = Assert.Throws<RecordFormatException>(() => ImageRecord.Unpack(new byte[23]));
        Assert.Contains("23 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpack_FlagPastEnd_ThrowsRecordFormatException()
    {
        byte[] packed = ImageRecord.Pack(new ImageRecordHeader(0, 0f, 1, 0) { Labels = [1f, 2f] }, []);
        packed[0] = 200;
        var error = Assert.Throws<RecordFormatException>(() => ImageRecord.Unpack(packed));
        Assert.Contains("200 labels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_ParseAndWriteTo_AreSymmetric()
    {
        var header = new ImageRecordHeader(3, -0.0f, ulong.MaxValue, 1UL << 63);
        byte[] bytes = new byte[ImageRecordHeader.Size];
        header.WriteTo(bytes);
        Assert.Equal(header, ImageRecordHeader.Parse(bytes));
        Assert.Throws<ArgumentException>(() => ImageRecordHeader.Parse(bytes.AsSpan(1)));
    }

    private static float ParseFloat(JsonElement value) => (float)double.Parse(value.GetString()!, CultureInfo.InvariantCulture);

    private static string Hex(float value) => BitConverter.SingleToUInt32Bits(value).ToString("x8", CultureInfo.InvariantCulture);
}
