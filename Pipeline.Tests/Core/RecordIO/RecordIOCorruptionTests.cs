using System.Buffers.Binary;
using Pipeline.Core;
using Pipeline.Core.RecordIO;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.RecordIO;

/// <summary>Bad input gives the valid prefix or a <see cref="RecordFormatException"/> naming file and offset; never a hang, a crash or an out-of-memory.</summary>
public sealed class RecordIOCorruptionTests
{
    private static readonly byte[][] s_payloads =
    [
        [], "a"u8.ToArray(), "abcde"u8.ToArray(),
        [0x0A, 0x23, 0xD7, 0xCE, 1, 2, 3, 4, 5],
        [1, 2, 3, 4, 0x0A, 0x23, 0xD7, 0xCE, 0x0A, 0x23, 0xD7, 0xCE, 9],
        [9, 0x0A, 0x23, 0xD7, 0xCE, 7], "tail"u8.ToArray(),
    ];

    [Fact]
    public void Read_BadMagic_ThrowsNamingFileAndOffset()
    {
        using var temp = new TempDirectory();
        byte[] file = File.ReadAllBytes(TestFiles.Rec("basic"));
        file[32] ^= 0xFF;
        string path = temp.File("bad.rec");
        File.WriteAllBytes(path, file);
        using var reader = new RecordIOReader(path);
        reader.Read();
        reader.Read();
        var error = Assert.Throws<RecordFormatException>(() => reader.Read());
        Assert.Equal(32, error.Offset);
        Assert.Equal(path, error.FilePath);
        Assert.Contains("offset 32", error.Message, StringComparison.Ordinal);
        Assert.Contains("bad.rec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LengthPastEndOfFile_ThrowsWithoutAllocatingIt()
    {
        byte[] file = File.ReadAllBytes(TestFiles.Rec("basic"));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), (1u << 29) - 1);
        using var reader = new RecordIOReader(new MemoryStream(file));
        reader.Read();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<RecordFormatException>(() => reader.Read());
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(16, error.Offset);
        Assert.Contains("past the end", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedTail_ThrowsTruncated()
    {
        byte[] file = File.ReadAllBytes(TestFiles.Rec("basic"))[..76];
        using var reader = new RecordIOReader(new MemoryStream(file));
        for (int i = 0; i < 4; i++) reader.Read();
        var error = Assert.Throws<RecordFormatException>(() => reader.Read());
        Assert.Equal(64, error.Offset);
    }

    [Fact]
    public async Task ReadPipe_TruncatedTail_ThrowsTruncated()
    {
        byte[] file = File.ReadAllBytes(TestFiles.Rec("basic"))[..70];
        await using var reader = new RecordIOPipeReader(System.IO.Pipelines.PipeReader.Create(new MemoryStream(file)), "basic.rec");
        for (int i = 0; i < 4; i++) await reader.ReadAsync();
        var error = await Assert.ThrowsAsync<RecordFormatException>(async () => await reader.ReadAsync());
        Assert.Equal(64, error.Offset);
        Assert.Contains("'basic.rec'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2u, 0u)]
    [InlineData(3u, 0u)]
    [InlineData(5u, 0u)]
    [InlineData(1u, 1u)]
    [InlineData(1u, 0u)]
    public void Read_BrokenMultiPartSequence_Throws(uint firstFlag, uint secondFlag)
    {
        using var stream = new MemoryStream();
        WritePart(stream, firstFlag, [1, 2, 3, 4]);
        WritePart(stream, secondFlag, [5, 6, 7, 8]);
        using var reader = new RecordIOReader(new MemoryStream(stream.ToArray()));
        var error = Assert.Throws<RecordFormatException>(() => reader.Read());
        Assert.Equal(firstFlag is 1 ? 12 : 0, error.Offset);
    }

    [Fact]
    public void ReadIdx_CorruptRecord_ThrowsNamingKeyAndOffset()
    {
        using var temp = new TempDirectory();
        byte[] file = File.ReadAllBytes(TestFiles.Rec("basic"));
        file[48] = 0;
        File.WriteAllBytes(temp.File("b.rec"), file);
        File.Copy(TestFiles.Idx("basic"), temp.File("b.idx"));
        using var reader = new IndexedRecordIOReader(temp.File("b.idx"), temp.File("b.rec"));
        Assert.Equal("record_2"u8.ToArray(), reader.ReadIdx(2));
        var error = Assert.Throws<RecordFormatException>(() => reader.ReadIdx(3));
        Assert.Equal("3", error.RecordKey);
        Assert.Equal(48, error.Offset);
        Assert.Contains("key 3", error.Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => reader.ReadIdx(99));
    }

    [Theory]
    [InlineData("0\t0\nx\t16\n", "line 2")]
    [InlineData("0\t0\n1\n", "line 2")]
    [InlineData("0\t0\n\n1\t16\n", "line 2")]
    [InlineData("0\t0\n1\t-16\n", "line 2")]
    [InlineData("0\t0\n1\t800\n", "past the end")]
    public void Open_MalformedIndex_ThrowsNamingIndexAndLine(string index, string expected)
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("b.idx"), index);
        var error = Assert.Throws<RecordFormatException>(() => new IndexedRecordIOReader(temp.File("b.idx"), TestFiles.Rec("basic")));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("b.idx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_IndexWithCrLfAndSpaces_IsAccepted()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("b.idx"), "0\t0\r\n1 16\r\n 2\t32 \r\n");
        using var reader = new IndexedRecordIOReader(temp.File("b.idx"), TestFiles.Rec("basic"));
        Assert.Equal([0L, 1L, 2L], reader.Keys);
        Assert.Equal("record_1"u8.ToArray(), reader.ReadIdx(1));
    }

    [Fact]
    public void Read_TruncatedAtEveryOffset_GivesValidPrefixOrRecordFormatException()
    {
        byte[] file = RecordFiles.Write(s_payloads);
        var boundaries = new HashSet<int>();
        using (var reader = new RecordIOReader(new MemoryStream(file)))
        {
            do boundaries.Add((int)reader.Position);
            while (reader.Read() is not null);
        }

        for (int cut = 0; cut <= file.Length; cut++)
        {
            (List<byte[]> records, RecordFormatException? error) = ReadUntilError(file[..cut]);
            Assert.Equal(s_payloads.Take(records.Count), records);
            Assert.Equal(boundaries.Contains(cut), error is null);
        }
    }

    [Fact]
    public async Task ReadAsyncAndPipe_TruncatedAtEveryOffset_AgreeWithSyncReader()
    {
        byte[] file = RecordFiles.Write(s_payloads);
        for (int cut = 0; cut <= file.Length; cut++)
        {
            (List<byte[]> expected, RecordFormatException? expectedError) = ReadUntilError(file[..cut]);

            var records = new List<byte[]>();
            RecordFormatException? error = null;
            await using var reader = new RecordIOPipeReader(System.IO.Pipelines.PipeReader.Create(new MemoryStream(file[..cut])));
            try
            {
                while (await reader.ReadAsync() is { } record) records.Add(record.ToArray());
            }
            catch (RecordFormatException e)
            {
                error = e;
            }

            Assert.Equal(expected, records);
            Assert.Equal(expectedError?.Offset, error?.Offset);
        }
    }

    [Fact]
    public void Read_RandomByteFlips_NeverHangsOrThrowsAnythingElse()
    {
        byte[] original = FirstRecords(File.ReadAllBytes(TestFiles.Rec("split")), 60000);
        var random = new Random(1234);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] file = (byte[])original.Clone();
            int flips = random.Next(1, 4);
            int firstFlip = int.MaxValue;
            for (int i = 0; i < flips; i++)
            {
                int at = random.Next(file.Length);
                firstFlip = Math.Min(firstFlip, at);
                file[at] ^= (byte)(1 << random.Next(8));
            }

            (List<byte[]> records, _) = ReadUntilError(file);
            (List<byte[]> expected, _) = ReadUntilError(original);

            // Records that end before the first damaged byte are read unchanged.
            using var reader = new RecordIOReader(new MemoryStream(original));
            int intact = 0;
            while (reader.Read() is not null && reader.Position <= firstFlip) intact++;
            Assert.True(records.Count >= intact);
            Assert.Equal(expected.Take(intact), records.Take(intact));
        }
    }

    private static byte[] FirstRecords(byte[] file, int maxBytes)
    {
        using var reader = new RecordIOReader(new MemoryStream(file));
        long end = 0;
        while (reader.Read() is not null && reader.Position <= maxBytes) end = reader.Position;
        return file[..(int)end];
    }

    private static (List<byte[]> Records, RecordFormatException? Error) ReadUntilError(byte[] file)
    {
        var records = new List<byte[]>();
        using var reader = new RecordIOReader(new MemoryStream(file));
        try
        {
            while (reader.Read() is { } record) records.Add(record);
            return (records, null);
        }
        catch (RecordFormatException error)
        {
            return (records, error);
        }
    }

    private static void WritePart(Stream stream, uint cflag, byte[] payload)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xCED7230A);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (cflag << 29) | (uint)payload.Length);
        stream.Write(header);
        stream.Write(payload);
    }
}
