using Pipeline.Core.Storage;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Core.Storage;

/// <summary>The resolver, the read-ahead stream over a local source, and the retry loop, without servers.</summary>
public sealed class ObjectStorageTests
{
    [Theory]
    [InlineData("s3://bucket/key", true)]
    [InlineData("http://host/x.rec", true)]
    [InlineData("file:///tmp/x.rec", true)]
    [InlineData("/tmp/x.rec", false)]
    [InlineData("relative/x.rec", false)]
    [InlineData("C:\\data\\x.rec", false)]
    [InlineData("c:/data/x.rec", false)]
    public void IsUri_TellsUrisFromPaths(string text, bool expected) => Assert.Equal(expected, ObjectStorage.IsUri(text));

    [Fact]
    public void TryGetLocalPath_FileUriAndPlainPath_AreLocal_RemoteIsNot()
    {
        Assert.True(ObjectStorage.TryGetLocalPath("file:///tmp/a%20b.rec", out string? path));
        Assert.Equal("/tmp/a b.rec", path);
        Assert.True(ObjectStorage.TryGetLocalPath("data/x.rec", out path));
        Assert.Equal("data/x.rec", path);
        Assert.False(ObjectStorage.TryGetLocalPath("s3://bucket/x.rec", out path));
        Assert.Null(path);
    }

    [Fact]
    public void FindProvider_PackageNotReferenced_NamesThePackageToAdd()
    {
        var uri = new Uri("gs://bucket/train.rec");
        ArgumentException error = Assert.Throws<ArgumentException>(() => ObjectStorage.FindProvider(uri, uri.OriginalString, "Pipeline.Storage.Gcs"));
        Assert.Contains("gs://bucket/train.rec", error.Message, StringComparison.Ordinal);
        Assert.Contains("add a reference to the package Pipeline.Storage.Gcs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_DropsCredentialsFromUris()
    {
        Assert.DoesNotContain("secret", ObjectStorage.Describe(new Uri("http://user:secret@host/x.rec")), StringComparison.Ordinal);
    }

    [Fact]
    public void OpenWrite_Http_IsReadOnly_NamingTheUri()
    {
        NotSupportedException error = Assert.Throws<NotSupportedException>(() => ObjectStorage.OpenWrite("http://127.0.0.1:9/x.rec"));
        Assert.Contains("http://127.0.0.1:9/x.rec", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAheadStream_RandomSeeksAndReads_MatchTheFile()
    {
        using var temp = new TempDirectory();
        byte[] data = new byte[1_000_003];
        new Random(1).NextBytes(data);
        File.WriteAllBytes(temp.File("data.bin"), data);
        using ByteSource source = ObjectStorage.OpenRead(temp.File("data.bin"));
        Assert.True(source.IsLocal);
        var random = new Random(2);
        foreach ((long begin, long end) in new[] { (0L, (long)data.Length), (100_000L, 600_000L), (999_000L, 999_000L) })
        {
            using var stream = new ReadAheadStream(source, begin, end, chunkSize: 64 << 10, depth: 3, leaveOpen: true);
            Assert.Equal(begin, stream.Position);
            Assert.Equal(data.Length, stream.Length);
            for (int op = 0; op < 200; op++)
            {
                if (random.Next(5) == 0) stream.Seek(random.Next(data.Length + 10), SeekOrigin.Begin);
                long at = stream.Position;
                byte[] buffer = new byte[random.Next(1, 200_000)];
                int read = op % 2 == 0 ? stream.Read(buffer) : await stream.ReadAsync(buffer);
                int expected = (int)Math.Max(0, Math.Min(buffer.Length, data.Length - at));
                Assert.InRange(read, Math.Min(1, expected), expected);
                Assert.True(buffer.AsSpan(0, read).SequenceEqual(data.AsSpan((int)Math.Min(at, data.Length), read)), $"Bytes at {at} differ.");
                Assert.Equal(at + read, stream.Position);
            }
        }
    }

    [Fact]
    public async Task StorageRetry_CountsOnlyAttemptsWithoutProgress_ThenNamesUriAndOffset()
    {
        var options = new StorageOptions { MaxRetries = 2, RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero };
        long offset = 0;
        int attempts = 0;

        // Ten failures, each after some progress: never gives up.
        int result = await StorageRetry.RunAsync("s3://b/k", () => offset, options, (_, _) =>
        {
            if (++attempts <= 10)
            {
                offset += 100;
                throw new IOException("reset");
            }

            return ValueTask.FromResult(7);
        }, e => e is IOException);
        Assert.Equal(7, result);

        // Failures without progress: the first attempt and two retries, then the error.
        attempts = 0;
        StorageException error = await Assert.ThrowsAsync<StorageException>(async () => await StorageRetry.RunAsync<int>("s3://b/k", () => offset, options, (_, _) =>
        {
            attempts++;
            throw new IOException("reset");
        }, e => e is IOException));
        Assert.Equal(3, attempts);
        Assert.Contains("'s3://b/k' at offset 1000", error.Message, StringComparison.Ordinal);
        Assert.Equal(1000, error.Offset);
    }
}
