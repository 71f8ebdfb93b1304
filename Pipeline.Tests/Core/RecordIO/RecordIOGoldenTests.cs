using System.Buffers.Binary;
using System.Text.Json;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.RecordIO;

/// <summary>Compatibility with files written by the real dmlc-core <c>RecordIOWriter</c> and MXNet's im2rec.</summary>
public sealed class RecordIOGoldenTests
{
    public static TheoryData<string> RecordIONames => new() { "basic", "edge", "split" };

    public static TheoryData<string> Im2RecNames
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string name in TestFiles.Im2RecNames()) data.Add(name);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RecordIONames))]
    public void Read_GoldenFile_MatchesManifestOffsetsLengthsAndHashes(string name)
    {
        using JsonDocument manifest = TestFiles.Json(Path.Combine(TestFiles.RecordIODir, name + ".json"));
        JsonElement.ArrayEnumerator expected = manifest.RootElement.GetProperty("records").EnumerateArray();
        using var reader = new RecordIOReader(TestFiles.Rec(name));
        int count = 0;
        foreach (JsonElement record in expected)
        {
            Assert.Equal(record.GetProperty("offset").GetInt64(), reader.Position);
            byte[]? payload = reader.Read();
            Assert.NotNull(payload);
            Assert.Equal(record.GetProperty("length").GetInt32(), payload.Length);
            Assert.Equal(record.GetProperty("sha256").GetString(), TestFiles.Sha256(payload));
            if (record.TryGetProperty("payload_hex", out JsonElement hex))
            {
                Assert.Equal(hex.GetString(), Convert.ToHexStringLower(payload));
            }

            count++;
        }

        Assert.Null(reader.Read());
        Assert.Equal(manifest.RootElement.GetProperty("record_count").GetInt32(), count);
        Assert.Equal(manifest.RootElement.GetProperty("file_size").GetInt64(), reader.Position);
    }

    [Theory]
    [MemberData(nameof(RecordIONames))]
    public async Task ReadAsync_GoldenFile_GivesSameRecordsAsSyncRead(string name)
    {
        List<byte[]> expected = RecordFiles.ReadAll(TestFiles.Rec(name));
        using var reader = new RecordIOReader(TestFiles.Rec(name));
        var actual = new List<byte[]>();
        while (await reader.ReadAsync() is { } record) actual.Add(record);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(RecordIONames))]
    public void Write_GoldenPayloads_ReproducesFileAndIndexByteForByte(string name)
    {
        using JsonDocument manifest = TestFiles.Json(Path.Combine(TestFiles.RecordIODir, name + ".json"));
        List<byte[]> payloads = RecordFiles.ReadAll(TestFiles.Rec(name));
        using var temp = new TempDirectory();
        long exceptCounter;
        using (var writer = new IndexedRecordIOWriter(temp.File("out.idx"), temp.File("out.rec")))
        {
            for (int i = 0; i < payloads.Count; i++) writer.WriteIdx(i, payloads[i]);
        }

        using (var stream = new MemoryStream())
        {
            using var plain = new RecordIOWriter(stream, leaveOpen: true);
            foreach (byte[] payload in payloads) plain.Write(payload);
            exceptCounter = plain.ExceptCounter;
        }

        Assert.Equal(File.ReadAllBytes(TestFiles.Rec(name)), File.ReadAllBytes(temp.File("out.rec")));
        Assert.Equal(File.ReadAllBytes(TestFiles.Idx(name)), File.ReadAllBytes(temp.File("out.idx")));
        Assert.Equal(manifest.RootElement.GetProperty("writer_except_counter").GetInt64(), exceptCounter);
    }

    [Theory]
    [MemberData(nameof(RecordIONames))]
    public void Write_GoldenPayloads_ProducesTheManifestsChunkStructure(string name)
    {
        using JsonDocument manifest = TestFiles.Json(Path.Combine(TestFiles.RecordIODir, name + ".json"));
        byte[] written = RecordFiles.Write(RecordFiles.ReadAll(TestFiles.Rec(name)));
        foreach (JsonElement record in manifest.RootElement.GetProperty("records").EnumerateArray())
        {
            foreach (JsonElement part in record.GetProperty("parts").EnumerateArray())
            {
                int at = part.GetProperty("header_offset").GetInt32();
                Assert.Equal(0xCED7230Au, BinaryPrimitives.ReadUInt32LittleEndian(written.AsSpan(at)));
                uint lrec = BinaryPrimitives.ReadUInt32LittleEndian(written.AsSpan(at + 4));
                Assert.Equal(part.GetProperty("cflag").GetUInt32(), lrec >> 29);
                Assert.Equal(part.GetProperty("length").GetUInt32(), lrec & ((1u << 29) - 1));
                Assert.Equal(part.GetProperty("lrec_hex").GetString(), lrec.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
                int length = part.GetProperty("length").GetInt32();
                int padding = part.GetProperty("padding").GetInt32();
                Assert.Equal(new byte[padding], written.AsSpan(at + 8 + length, padding).ToArray());
            }
        }
    }

    [Theory]
    [MemberData(nameof(RecordIONames))]
    public void ReadIdx_EveryKeyInRandomOrder_GivesTheSequentialRecords(string name)
    {
        List<byte[]> sequential = RecordFiles.ReadAll(TestFiles.Rec(name));
        using var reader = new IndexedRecordIOReader(TestFiles.Idx(name), TestFiles.Rec(name));
        Assert.Equal(Enumerable.Range(0, sequential.Count).Select(i => (long)i), reader.Keys);
        long[] keys = reader.Keys.ToArray();
        new Random(7).Shuffle(keys);
        foreach (long key in keys)
        {
            Assert.Equal(sequential[(int)key], reader.ReadIdx(key));
        }
    }

    [Theory]
    [MemberData(nameof(Im2RecNames))]
    public void Read_Im2RecOutput_MatchesManifestHeadersAndPayloads(string name)
    {
        using JsonDocument manifest = TestFiles.Json(Path.Combine(TestFiles.Im2RecDir, name + ".json"));
        using var reader = new RecordIOReader(TestFiles.Im2RecRec(name));
        using var indexed = new IndexedRecordIOReader(Path.Combine(TestFiles.Im2RecDir, name + ".idx"), TestFiles.Im2RecRec(name));
        int count = 0;
        foreach (JsonElement expected in manifest.RootElement.GetProperty("records").EnumerateArray())
        {
            Assert.Equal(expected.GetProperty("offset").GetInt64(), reader.Position);
            byte[] record = reader.Read()!;
            Assert.Equal(expected.GetProperty("record_length").GetInt32(), record.Length);
            Assert.Equal(expected.GetProperty("record_sha256").GetString(), TestFiles.Sha256(record));
            Assert.Equal(expected.GetProperty("header_hex").GetString(), Convert.ToHexStringLower(record.AsSpan(0, 24)));

            (ImageRecordHeader header, ReadOnlyMemory<byte> payload) = ImageRecord.Unpack(record);
            Assert.Equal(expected.GetProperty("flag").GetUInt32(), header.Flag);
            Assert.Equal(expected.GetProperty("label_f32_hex").GetString(), BitConverter.SingleToUInt32Bits(header.Label).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(ulong.Parse(expected.GetProperty("id").ToString(), System.Globalization.CultureInfo.InvariantCulture), header.Id);
            Assert.Equal(ulong.Parse(expected.GetProperty("id2").ToString(), System.Globalization.CultureInfo.InvariantCulture), header.Id2);
            if (expected.TryGetProperty("labels", out JsonElement labels))
            {
                Assert.Equal(labels.EnumerateArray().Select(l => (float)l.GetDouble()), header.Labels!);
            }

            Assert.Equal(expected.GetProperty("payload_offset_in_record").GetInt32(), record.Length - payload.Length);
            Assert.Equal(expected.GetProperty("payload_length").GetInt32(), payload.Length);
            Assert.Equal(expected.GetProperty("payload_sha256").GetString(), TestFiles.Sha256(payload.Span));
            Assert.Equal(record, indexed.ReadIdx((long)header.Id));
            count++;
        }

        Assert.True(count > 0);
        Assert.Null(reader.Read());
    }
}
