using System.Buffers;
using System.IO.Pipelines;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.RecordIO;

/// <summary>The framing table of spec 3.1, MXNet's round-trip tests, and round-trip properties.</summary>
public sealed class RecordIOFramingTests
{
    [Theory]
    [InlineData("6162636465", "0a23d7ce 05000000 61626364 65000000")]
    [InlineData("", "0a23d7ce 00000000")]
    [InlineData("61626364 0a23d7ce 78797a", "0a23d7ce 04000020 61626364 0a23d7ce 03000060 78797a00")]
    [InlineData("0a23d7ce", "0a23d7ce 00000020 0a23d7ce 00000060")]
    [InlineData("0a23d7ce 0a23d7ce", "0a23d7ce 00000020 0a23d7ce 00000040 0a23d7ce 00000060")]
    [InlineData("00 0a23d7ce 000000", "0a23d7ce 08000000 000a23d7 ce000000")]
    public void Write_SpecFramingTable_GivesExactBytesAndReadsBack(string payloadHex, string expectedHex)
    {
        byte[] payload = Convert.FromHexString(payloadHex.Replace(" ", string.Empty, StringComparison.Ordinal));
        byte[] file = RecordFiles.Write([payload]);
        Assert.Equal(expectedHex.Replace(" ", string.Empty, StringComparison.Ordinal), Convert.ToHexStringLower(file));
        Assert.Equal([payload], RecordFiles.ReadAll(file));
    }

    [Fact]
    public void WriteRead_255SingleCharRecords_RoundTrip()
    {
        // Port of MXNet's test_recordio: record i is chr(i).
        using var temp = new TempDirectory();
        string path = temp.File("test.rec");
        using (var writer = new RecordIOWriter(path))
        {
            for (int i = 0; i < 255; i++) writer.Write([(byte)i]);
        }

        using var reader = new RecordIOReader(path);
        for (int i = 0; i < 255; i++) Assert.Equal([(byte)i], reader.Read()!);
        Assert.Null(reader.Read());
    }

    [Fact]
    public void IndexedWriteRead_RandomKeyOrder_RoundTrip()
    {
        // Port of MXNet's test_indexed_recordio.
        using var temp = new TempDirectory();
        using (var writer = new IndexedRecordIOWriter(temp.File("t.idx"), temp.File("t.rec")))
        {
            for (int i = 0; i < 255; i++) writer.WriteIdx(i, [(byte)i]);
        }

        using var reader = new IndexedRecordIOReader(temp.File("t.idx"), temp.File("t.rec"));
        long[] keys = reader.Keys.ToArray();
        Assert.Equal(255, keys.Length);
        new Random(3).Shuffle(keys);
        foreach (long key in keys) Assert.Equal([(byte)key], reader.ReadIdx(key));
    }

    [Fact]
    public void IndexedWrite_TutorialRecords_OffsetsAre16Apart()
    {
        using var temp = new TempDirectory();
        using (var writer = new IndexedRecordIOWriter(temp.File("t.idx"), temp.File("t.rec")))
        {
            for (int i = 0; i < 5; i++) writer.WriteIdx(i, System.Text.Encoding.ASCII.GetBytes($"record_{i}"));
            Assert.Equal(80, writer.Position);
        }

        Assert.Equal("0\t0\n1\t16\n2\t32\n3\t48\n4\t64\n", File.ReadAllText(temp.File("t.idx")));
    }

    [Fact]
    public void Seek_AfterEndOfFile_ClearsEndState()
    {
        // MXNet's reader stays at EOF after a seek (sticky EOF); decision 10 in docs/architecture.md clears it.
        using var reader = new RecordIOReader(TestFiles.Rec("basic"));
        while (reader.Read() is not null)
        {
        }

        reader.Seek(32);
        Assert.Equal("record_2"u8.ToArray(), reader.Read()!);
        reader.Reset();
        Assert.Equal(0, reader.Position);
        Assert.Equal("record_0"u8.ToArray(), reader.Read()!);
    }

    [Fact]
    public void Reader_StreamStartingMidway_ReportsAbsolutePositions()
    {
        byte[] file = File.ReadAllBytes(TestFiles.Rec("basic"));
        var stream = new MemoryStream(file) { Position = 16 };
        using var reader = new RecordIOReader(stream);
        Assert.Equal(16, reader.Position);
        Assert.Equal("record_1"u8.ToArray(), reader.Read()!);
        Assert.Equal(32, reader.Position);
    }

    [Fact]
    public void TryRead_LargeRecordsBiggerThanBuffer_AreReturnedWhole()
    {
        var random = new Random(5);
        var payloads = new List<byte[]> { new byte[3 << 20], new byte[10], new byte[(1 << 20) + 3] };
        foreach (byte[] payload in payloads) random.NextBytes(payload);
        payloads[0][1 << 20] = 0x0A;
        Assert.Equal(payloads, RecordFiles.ReadAll(RecordFiles.Write(payloads)));
    }

    [Property(Arbitrary = [typeof(PayloadArbitrary)], MaxTest = 300)]
    public void WriteThenRead_IsIdentity(byte[][] payloads)
    {
        byte[] file = RecordFiles.Write(payloads);
        Assert.Equal(payloads, RecordFiles.ReadAll(file));
        Assert.Equal(0, file.Length % 4);
    }

    [Property(Arbitrary = [typeof(PayloadArbitrary)], MaxTest = 150)]
    public async Task ReadThroughPipe_AnySegmentSizes_GivesSameRecords(byte[][] payloads, PositiveInt[] segmentSizes)
    {
        byte[] file = RecordFiles.Write(payloads);
        int[] sizes = segmentSizes.Select(s => (s.Get % 37) + 1).ToArray();

        // A multi-segment sequence delivered at once, and a pipe fed piece by piece while it is read.
        Assert.Equal(payloads, await ReadAllAsync(PipeReader.Create(SegmentedSequence.Create(SegmentedSequence.Split(file, sizes)))));

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, minimumSegmentSize: 16));
        Task feed = Task.Run(async () =>
        {
            foreach (byte[] piece in SegmentedSequence.Split(file, sizes))
            {
                await pipe.Writer.WriteAsync(piece);
            }

            await pipe.Writer.CompleteAsync();
        });
        Assert.Equal(payloads, await ReadAllAsync(pipe.Reader));
        await feed;
    }

    [Property(Arbitrary = [typeof(PayloadArbitrary)], MaxTest = 150)]
    public async Task ReadFromTrickleStream_AnyReadSizes_GivesSameRecordsSyncAndAsync(byte[][] payloads, PositiveInt[] readSizes)
    {
        byte[] file = RecordFiles.Write(payloads);
        int[] sizes = readSizes.Select(s => (s.Get % 23) + 1).ToArray();
        var records = new List<byte[]>();
        using (var reader = new RecordIOReader(new TrickleStream(file, sizes)))
        {
            while (reader.Read() is { } record) records.Add(record);
        }

        Assert.Equal(payloads, records);
        records.Clear();
        using (var reader = new RecordIOReader(new TrickleStream(file, sizes)))
        {
            while (await reader.ReadAsync() is { } record) records.Add(record);
        }

        Assert.Equal(payloads, records);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("split")]
    public void Read_SmallBuffer_GrowsAndCompactsAndGivesSameRecords(string name)
    {
        List<byte[]> expected = RecordFiles.ReadAll(TestFiles.Rec(name));
        using var reader = new RecordIOReader(TestFiles.Rec(name), bufferSize: 4096);
        var records = new List<byte[]>();
        while (reader.Read() is { } record) records.Add(record);
        Assert.Equal(expected, records);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecordIOReader(TestFiles.Rec(name), bufferSize: 100));
    }

    private static async Task<List<byte[]>> ReadAllAsync(PipeReader pipe)
    {
        await using var reader = new RecordIOPipeReader(pipe, "pipe");
        var records = new List<byte[]>();
        while (await reader.ReadAsync() is { } record) records.Add(record.ToArray());
        return records;
    }

    /// <summary>Payloads built from random bytes and magic words, so magic words land at aligned and unaligned offsets.</summary>
    public static class PayloadArbitrary
    {
        public static Arbitrary<byte[][]> Payloads()
        {
            Gen<byte[]> piece = Gen.Frequency(
                (2, Gen.Constant(new byte[] { 0x0A, 0x23, 0xD7, 0xCE })),
                (1, Gen.Constant(new byte[] { 0x0A, 0x23, 0xD7 })),
                (4, Gen.Choose(0, 9).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n))));
            Gen<byte[]> payload = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(piece, n)).Select(parts => parts.SelectMany(p => p).ToArray());
            return Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(payload, n)).ToArbitrary();
        }
    }
}
