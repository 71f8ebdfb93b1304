namespace Pipeline.Tests.Infrastructure.Servers;

/// <summary>The servers the storage tests share, each started on first use and stopped when the collection ends.</summary>
public sealed class StorageServers : IDisposable
{
    private readonly Lazy<S3rverServer> _s3 = new(S3rverServer.Start);
    private readonly Lazy<NginxServer> _http = new(NginxServer.Start);

    internal S3rverServer S3 => _s3.Value;

    internal NginxServer Http => _http.Value;

    public void Dispose()
    {
        if (_s3.IsValueCreated) _s3.Value.Dispose();
        if (_http.IsValueCreated) _http.Value.Dispose();
    }
}

/// <summary>Tests that use the shared servers run one at a time (their fault proxies and environment would otherwise interfere).</summary>
[CollectionDefinition(Name)]
public sealed class StorageServersGroup : ICollectionFixture<StorageServers>
{
    public const string Name = "Storage servers";
}
