using Pipeline.Core.Storage;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Infrastructure.Servers;

namespace Pipeline.Tests.Core.Storage;

[Collection(StorageServersGroup.Name)]
public sealed class StorageSmokeTests(StorageServers servers)
{
    [S3Fact]
    public async Task S3_WriteThenRead_RoundTrips()
    {
        byte[] data = new byte[12 << 20];
        new Random(3).NextBytes(data);
        string uri = S3rverServer.Uri("smoke/12mib.bin");
        StorageOptions options = servers.S3.Options with { WritePartSize = 5 << 20 };
        using (Stream w = ObjectStorage.OpenWrite(uri, options)) w.Write(data);
        Assert.Equal(data, servers.S3.Get("smoke/12mib.bin"));
        using ByteSource source = await ObjectStorage.OpenReadAsync(uri, options);
        Assert.Equal(data.Length, source.Length);
        byte[] back = new byte[data.Length];
        using Stream r = source.OpenSequential(0, source.Length, options with { ReadAheadChunkSize = 1 << 20 });
        r.ReadExactly(back);
        Assert.Equal(data, back);
    }

    [NginxFact]
    public async Task Http_Read_RoundTrips()
    {
        byte[] data = new byte[3 << 20];
        new Random(4).NextBytes(data);
        string url = servers.Http.Publish("smoke.bin", data);
        using ByteSource source = await ObjectStorage.OpenReadAsync(url);
        Assert.NotNull(source.Version);
        byte[] back = new byte[data.Length];
        Assert.Equal(data.Length, await source.ReadAtAsync(0, back));
        Assert.Equal(data, back);
    }
}
