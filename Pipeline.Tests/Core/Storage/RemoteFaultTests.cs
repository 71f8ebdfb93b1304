using System.Diagnostics;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Infrastructure.Servers;

namespace Pipeline.Tests.Core.Storage;

/// <summary>Reads survive cut connections, 503 SlowDown and stalls (every record once, in order); a replaced object is an error; bad URIs and dead endpoints fail fast naming the URI.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class RemoteFaultTests(StorageServers servers)
{
    // The suite's size: a few seconds on two cores. The full 1 GB run is `throughput storage` (BENCHMARKS.md).
    private const long LargeSize = 192L << 20;

    [S3Fact]
    public void LargeRead_S3_CutsEveryFewMBAndRandom503s_EveryRecordOnceInOrder()
    {
        string key = "faults/large.rec";
        int count = LargeRecords.Write(S3rverServer.Uri(key), servers.S3.Options, LargeSize);
        using var proxy = new FaultProxy(servers.S3.Port, seed: 21) { CutResponseAfterBytes = 3 << 20, SlowDownProbability = 0.05 };
        StorageOptions options = S3rverServer.For(proxy.Endpoint) with { MaxRetries = 8 };
        using (var reader = new RecordIOReader(S3rverServer.Uri(key), options)) LargeRecords.AssertAll(reader, count);
        Assert.True(proxy.Cuts >= 20, $"Only {proxy.Cuts} connections were cut.");
        Assert.True(proxy.SlowDowns >= 1, "No request was answered 503.");
    }

    [NginxFact]
    public async Task LargeRead_Http_CutsEveryFewMBAndRandom503s_EveryRecordOnceInOrder()
    {
        string path = Path.Combine(servers.Http.Root, "faults", "large.rec");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int count = LargeRecords.Write(path, StorageOptions.Default, LargeSize);
        using var proxy = new FaultProxy(servers.Http.Port, seed: 22) { CutResponseAfterBytes = 3 << 20, SlowDownProbability = 0.05 };
        StorageOptions options = new() { MaxRetries = 8, RetryBaseDelay = TimeSpan.FromMilliseconds(10) };
        using (var reader = new RecordIOReader($"http://127.0.0.1:{proxy.Port}/faults/large.rec", options))
        {
            int i = 0;
            while (await reader.ReadMemoryAsync() is { } record) LargeRecords.AssertRecord(record.Span, i++);
            Assert.Equal(count, i);
        }

        Assert.True(proxy.Cuts >= 20, $"Only {proxy.Cuts} connections were cut.");
        Assert.True(proxy.SlowDowns >= 1, "No request was answered 503.");
    }

    [NginxFact]
    public void Read_StalledResponse_TimesOutAndResumes()
    {
        byte[] data = RecordFiles.Write(RemoteWriteTests.MakeRecords(seed: 23, count: 400, maxLength: 20 << 10));
        servers.Http.Publish("faults/stall.rec", data);
        using var proxy = new FaultProxy(servers.Http.Port) { StallResponseAfterBytes = 1 << 20, StallFor = TimeSpan.FromSeconds(30) };
        StorageOptions options = new() { RequestTimeout = TimeSpan.FromSeconds(1), RetryBaseDelay = TimeSpan.FromMilliseconds(10), ReadAheadChunkSize = 2 << 20, ReadAheadDepth = 1 };
        var watch = Stopwatch.StartNew();
        using var reader = new RecordIOReader($"http://127.0.0.1:{proxy.Port}/faults/stall.rec", options);
        var records = new List<byte[]>();
        while (reader.Read() is { } record) records.Add(record);
        Assert.Equal(RecordFiles.ReadAll(data), records);
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 15);
    }

    [NginxFact]
    public void Read_HttpFileReplacedMidRead_ThrowsObjectChanged()
    {
        List<byte[]> records = RemoteWriteTests.MakeRecords(seed: 24, count: 600, maxLength: 16 << 10);
        string path = Path.Combine(servers.Http.Root, "faults", "replaced.rec");
        string url = servers.Http.Publish("faults/replaced.rec", RecordFiles.Write(records));
        using var reader = new RecordIOReader(url, new StorageOptions { ReadAheadChunkSize = 256 << 10, ReadAheadDepth = 1 });
        for (int i = 0; i < 10; i++) Assert.Equal(records[i], reader.Read());
        List<byte[]> other = RemoteWriteTests.MakeRecords(seed: 25, count: 600, maxLength: 16 << 10);
        File.WriteAllBytes(path, RecordFiles.Write(other));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(5));
        ObjectChangedException error = Assert.Throws<ObjectChangedException>(() =>
        {
            while (reader.Read() is not null)
            {
            }
        });
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Offset);
    }

    [S3Fact]
    public void Read_S3ObjectReplacedMidRead_ThrowsObjectChanged()
    {
        List<byte[]> records = RemoteWriteTests.MakeRecords(seed: 26, count: 600, maxLength: 16 << 10);
        servers.S3.Put("faults/replaced.rec", RecordFiles.Write(records));
        string uri = S3rverServer.Uri("faults/replaced.rec");
        using var reader = new RecordIOReader(uri, servers.S3.Options with { ReadAheadChunkSize = 256 << 10, ReadAheadDepth = 1 });
        for (int i = 0; i < 10; i++) Assert.Equal(records[i], reader.Read());
        servers.S3.Put("faults/replaced.rec", RecordFiles.Write(RemoteWriteTests.MakeRecords(seed: 27, count: 600, maxLength: 16 << 10)));
        ObjectChangedException error = Assert.Throws<ObjectChangedException>(() =>
        {
            while (reader.Read() is not null)
            {
            }
        });
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("foo://bucket/train.rec", "scheme 'foo'")]
    [InlineData("hdfs://namenode/data/train.rec", "scheme 'hdfs'")]
    public void Open_UnknownScheme_ThrowsNamingUri(string uri, string detail)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new RecordIOReader(uri));
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3://pipeline", "no object key")]
    [InlineData("s3://pipeline/", "no object key")]
    [InlineData("s3://pipeline/folder/", "no object key")]
    public void Open_S3UriWithoutBucketOrKey_ThrowsNamingUri(string uri, string detail)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new RecordIOReader(uri, S3rverServer.For(new Uri("http://127.0.0.1:9"))));
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.Contains(detail, error.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public void Open_MissingKeyOrBucket_ThrowsFileNotFoundNamingUri()
    {
        foreach (string uri in new[] { S3rverServer.Uri("no/such/key.rec"), "s3://no-such-bucket/train.rec" })
        {
            FileNotFoundException error = Assert.Throws<FileNotFoundException>(() => new RecordIOReader(uri, servers.S3.Options));
            Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        }
    }

    [NginxFact]
    public void Open_HttpMissing_ThrowsFileNotFoundNamingUri()
    {
        string url = servers.Http.Url("no/such/file.rec");
        FileNotFoundException error = Assert.Throws<FileNotFoundException>(() => new RecordIOReader(url));
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [S3Fact]
    public void Open_NoCredentials_ThrowsNamingUriWithoutHanging()
    {
        S3rverServer.HermeticAwsEnvironment();
        Assert.Null(Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID"));
        string uri = S3rverServer.Uri("golden/recordio/basic.rec");
        StorageOptions options = servers.S3.Options with { S3AccessKeyId = null, S3SecretAccessKey = null, RequestTimeout = TimeSpan.FromSeconds(5) };
        var watch = Stopwatch.StartNew();
        StorageException error = Assert.Throws<StorageException>(() => new RecordIOReader(uri, options));
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.Contains("credentials", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"Took {watch.Elapsed}.");
    }

    [Fact]
    public void Open_EndpointNotAnswering_ThrowsNamingUriWithinTimeout()
    {
        using var blackHole = new FaultProxy(targetPort: 9) { BlackHole = true };
        var options = new StorageOptions { RequestTimeout = TimeSpan.FromSeconds(1), MaxRetries = 1, RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromMilliseconds(10) };
        string url = $"http://127.0.0.1:{blackHole.Port}/train.rec";
        var watch = Stopwatch.StartNew();
        StorageException error = Assert.Throws<StorageException>(() => new RecordIOReader(url, options));
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("timeout", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.5, 6);
    }

    [Fact]
    public void Open_S3EndpointNotAnswering_ThrowsNamingUriWithinTimeout()
    {
        S3rverServer.HermeticAwsEnvironment();
        using var blackHole = new FaultProxy(targetPort: 9) { BlackHole = true };
        StorageOptions options = S3rverServer.For(blackHole.Endpoint) with { RequestTimeout = TimeSpan.FromSeconds(1), MaxRetries = 1 };
        string uri = "s3://pipeline/train.rec";
        var watch = Stopwatch.StartNew();
        StorageException error = Assert.Throws<StorageException>(() => new RecordIOReader(uri, options));
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.5, 6);
    }

    [Fact]
    public void Open_ConnectionRefused_ThrowsNamingUriAfterRetries()
    {
        int port = ServerRequirement.FreePort();
        var options = new StorageOptions { MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(10), RetryMaxDelay = TimeSpan.FromMilliseconds(20) };
        string url = $"http://127.0.0.1:{port}/train.rec";
        StorageException error = Assert.Throws<StorageException>(() => new RecordIOReader(url, options));
        Assert.Contains(url, error.Message, StringComparison.Ordinal);
        Assert.Contains("3 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ToString_NeverPrintsTheSecret()
    {
        var options = new StorageOptions { S3AccessKeyId = "AKIAEXAMPLE", S3SecretAccessKey = "wJalrXUtnFEMI/K7MDENG" };
        Assert.DoesNotContain("wJalrXUtnFEMI", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("AKIAEXAMPLE", options.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>A large record file whose records can be checked without keeping them: record i holds i, then a pattern from i.</summary>
internal static class LargeRecords
{
    public static int Write(string pathOrUri, StorageOptions options, long size)
    {
        var random = new Random(31);
        byte[] buffer = new byte[256 << 10];
        int i = 0;
        using var writer = new RecordIOWriter(pathOrUri, options);
        while (writer.Position < size)
        {
            int length = random.Next(4, buffer.Length);
            Fill(buffer.AsSpan(0, length), i++);
            writer.Write(buffer.AsSpan(0, length));
        }

        return i;
    }

    public static void AssertAll(RecordIOReader reader, int count)
    {
        int i = 0;
        while (reader.TryRead(out ReadOnlyMemory<byte> record)) AssertRecord(record.Span, i++);
        Assert.Equal(count, i);
    }

    public static void AssertRecord(ReadOnlySpan<byte> record, int index)
    {
        int seen = BitConverter.ToInt32(record);
        if (seen != index) Assert.Fail($"Expected record {index}, read record {seen}: a record was lost or repeated.");
        byte[] expected = new byte[record.Length];
        Fill(expected, index);
        if (!record.SequenceEqual(expected)) Assert.Fail($"Record {index} ({record.Length} bytes) differs from what was written.");
    }

    private static void Fill(Span<byte> record, int index)
    {
        byte seed = (byte)(index * 31);
        for (int j = 4; j < record.Length; j++) record[j] = (byte)(seed + j);
        BitConverter.TryWriteBytes(record, index);
    }
}
