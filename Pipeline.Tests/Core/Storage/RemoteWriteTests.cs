using System.Diagnostics;
using System.Security.Cryptography;
using Pipeline.Core.RecordIO;
using Pipeline.Core.Storage;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Infrastructure.Servers;

namespace Pipeline.Tests.Core.Storage;

/// <summary>Writers to s3:// produce exactly the bytes a local writer does, appear only when complete, and leave nothing when a write fails; boto3 cross-checks both directions.</summary>
[Collection(StorageServersGroup.Name)]
public sealed class RemoteWriteTests(StorageServers servers)
{
    [S3Fact]
    public void RecordIOWriter_S3Multipart_SameBytesAsLocalFile()
    {
        using var temp = new TempDirectory();
        StorageOptions options = servers.S3.Options with { WritePartSize = 5 << 20 };
        string uri = S3rverServer.Uri("write/multipart.rec");
        List<byte[]> records = MakeRecords(seed: 7, count: 1500, maxLength: 16 << 10);
        using (var local = new RecordIOWriter(temp.File("local.rec")))
        using (var remote = new RecordIOWriter(uri, options))
        {
            Assert.Equal(uri, remote.FilePath);
            foreach (byte[] record in records)
            {
                local.Write(record);
                remote.Write(record);
                Assert.Equal(local.Position, remote.Position);
            }

            // Nothing is visible before the writer completes, though parts have been uploaded.
            Assert.True(local.Position > 2 * options.WritePartSize);
            Assert.Null(servers.S3.Get("write/multipart.rec"));
        }

        byte[] expected = File.ReadAllBytes(temp.File("local.rec"));
        byte[] stored = servers.S3.Get("write/multipart.rec")!;
        Assert.Equal(expected.Length, stored.Length);
        Assert.Equal(expected, stored);
        Assert.Equal(records, RecordFiles.ReadAll(stored));
    }

    [S3Fact]
    public void IndexedRecordIOWriter_S3_SameRecAndIdxAsLocal()
    {
        using var temp = new TempDirectory();
        List<byte[]> records = MakeRecords(seed: 8, count: 300, maxLength: 3000);
        using (var local = new IndexedRecordIOWriter(temp.File("l.idx"), temp.File("l.rec")))
        using (var remote = new IndexedRecordIOWriter(S3rverServer.Uri("write/indexed.idx"), S3rverServer.Uri("write/indexed.rec"), servers.S3.Options))
        {
            for (int i = 0; i < records.Count; i++)
            {
                local.WriteIdx(i * 3, records[i]);
                remote.WriteIdx(i * 3, records[i]);
            }
        }

        // Small objects go up as one PutObject; still exact, no aws-chunked framing.
        Assert.Equal(File.ReadAllBytes(temp.File("l.rec")), servers.S3.Get("write/indexed.rec"));
        Assert.Equal(File.ReadAllBytes(temp.File("l.idx")), servers.S3.Get("write/indexed.idx"));
        using var back = new IndexedRecordIOReader(S3rverServer.Uri("write/indexed.idx"), S3rverServer.Uri("write/indexed.rec"), servers.S3.Options);
        for (int i = 0; i < records.Count; i++) Assert.Equal(records[i], back.ReadIdx(i * 3));
    }

    [S3Fact]
    public void Write_ConnectionKilledMidway_LeavesNoObject()
    {
        using var proxy = new FaultProxy(servers.S3.Port) { CutRequestAfterBytes = 3 << 20 };
        StorageOptions options = S3rverServer.For(proxy.Endpoint) with { WritePartSize = 5 << 20, MaxRetries = 2 };
        string uri = S3rverServer.Uri("write/killed.rec");
        var writer = new RecordIOWriter(uri, options);
        StorageException error = Assert.Throws<StorageException>(() =>
        {
            foreach (byte[] record in MakeRecords(seed: 9, count: 2000, maxLength: 16 << 10)) writer.Write(record);
            writer.Dispose();
        });
        Assert.Contains(uri, error.Message, StringComparison.Ordinal);
        Assert.Equal(uri, error.Location);
        Assert.True(proxy.Cuts >= 3, $"The proxy cut {proxy.Cuts} connections.");
        writer.Dispose();
        Assert.Null(servers.S3.Get("write/killed.rec"));
    }

    [S3Fact]
    public void Write_Aborted_LeavesNoObject()
    {
        string uri = S3rverServer.Uri("write/aborted.rec");
        var stream = (StorageWriteStream)ObjectStorage.OpenWrite(uri, servers.S3.Options with { WritePartSize = 5 << 20 });
        stream.Write(new byte[11 << 20]);
        stream.Abort();
        Assert.True(stream.IsAborted);
        stream.Dispose();
        Assert.Null(servers.S3.Get("write/aborted.rec"));
        Assert.Throws<ObjectDisposedException>(() => stream.Write(new byte[1]));
    }

    [S3Fact]
    public void Write_UnderFaults_RetriesPartsAndStoresExactBytes()
    {
        using var proxy = new FaultProxy(servers.S3.Port, seed: 11) { SlowDownProbability = 0.2 };
        StorageOptions options = S3rverServer.For(proxy.Endpoint) with { WritePartSize = 5 << 20, MaxRetries = 10 };
        byte[] data = RandomBytes(13 << 20, 12);
        using (Stream stream = ObjectStorage.OpenWrite(S3rverServer.Uri("write/faults.bin"), options)) stream.Write(data);
        Assert.Equal(data, servers.S3.Get("write/faults.bin"));
    }

    [Boto3Fact]
    public async Task Boto3_UploadsReadByUs_AndOurUploadsReadByBoto3()
    {
        using var temp = new TempDirectory();
        byte[] theirs = RecordFiles.Write(MakeRecords(seed: 13, count: 900, maxLength: 20 << 10));
        File.WriteAllBytes(temp.File("theirs.rec"), theirs);
        byte[] ours = RecordFiles.Write(MakeRecords(seed: 14, count: 900, maxLength: 20 << 10));
        using (var writer = ObjectStorage.OpenWrite(S3rverServer.Uri("boto3/ours.rec"), servers.S3.Options with { WritePartSize = 5 << 20 }))
        {
            writer.Write(ours);
        }

        string script = """
            import boto3, hashlib, sys
            from botocore.config import Config
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER",
                              config=Config(s3={"addressing_style": "path"}))
            s3.upload_file(sys.argv[2], "pipeline", "boto3/theirs.rec")
            body = s3.get_object(Bucket="pipeline", Key="boto3/ours.rec")["Body"].read()
            print(len(body), hashlib.sha256(body).hexdigest())
            """;
        File.WriteAllText(temp.File("cross.py"), script);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(temp.File("cross.py"));
        info.ArgumentList.Add(servers.S3.Endpoint.ToString());
        info.ArgumentList.Add(temp.File("theirs.rec"));
        using Process python = Process.Start(info)!;
        Task<string> stdout = python.StandardOutput.ReadToEndAsync();
        Task<string> stderr = python.StandardError.ReadToEndAsync();
        Assert.True(python.WaitForExit(60_000), "boto3 did not finish within 60 s.");
        Assert.True(python.ExitCode == 0, await stderr);
        Assert.Equal($"{ours.Length} {Convert.ToHexStringLower(SHA256.HashData(ours))}", (await stdout).Trim());

        using var reader = new RecordIOReader(S3rverServer.Uri("boto3/theirs.rec"), servers.S3.Options);
        var back = new List<byte[]>();
        while (reader.Read() is { } record) back.Add(record);
        Assert.Equal(RecordFiles.ReadAll(theirs), back);
    }

    internal static List<byte[]> MakeRecords(int seed, int count, int maxLength)
    {
        var random = new Random(seed);
        var records = new List<byte[]>(count);
        for (int i = 0; i < count; i++)
        {
            byte[] record = new byte[random.Next(4, maxLength)];
            random.NextBytes(record);
            BitConverter.TryWriteBytes(record, i);
            if (i % 7 == 3 && record.Length >= 12) BitConverter.TryWriteBytes(record.AsSpan(8), 0xCED7230Au);
            records.Add(record);
        }

        return records;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
