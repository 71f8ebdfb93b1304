using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using Pipeline.Core.Storage;

namespace Pipeline.Storage.S3.Internal;

/// <summary>An S3 object read with ranged <c>GetObject</c> requests pinned to its ETag; a body cut short resumes at the byte it reached.</summary>
internal sealed class S3Source(IAmazonS3 client, S3Location location, long length, string etag, StorageOptions options)
    : ByteSource(location.Text, length, etag)
{
    protected override async ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var received = new StrongBox<int>();
        await StorageRetry.RunAsync(
            Location,
            () => offset + received.Value,
            options,
            async (_, token) =>
            {
                long from = offset + received.Value;
                var request = new GetObjectRequest
                {
                    BucketName = location.Bucket,
                    Key = location.Key,
                    ByteRange = new ByteRange(from, offset + destination.Length - 1),
                    EtagToMatch = Version,
                };
                GetObjectResponse response;
                try
                {
                    response = await client.GetObjectAsync(request, token).ConfigureAwait(false);
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
                {
                    throw new ObjectChangedException(
                        string.Create(CultureInfo.InvariantCulture, $"'{Location}' at offset {from} was replaced or deleted while it was read (S3 {(int)ex.StatusCode} {ex.ErrorCode}: the ETag {Version} no longer matches)."), Location, from, ex);
                }

                using (response)
                {
                    // Checked here too: not every S3-compatible server honours If-Match (s3rver does not).
                    if (!string.IsNullOrEmpty(response.ETag) && !string.Equals(response.ETag, Version, StringComparison.Ordinal))
                    {
                        throw new ObjectChangedException(
                            string.Create(CultureInfo.InvariantCulture, $"'{Location}' at offset {from} was replaced while it was read (its ETag changed from {Version} to {response.ETag})."), Location, from, null);
                    }

                    await ReceiveBodyAsync(response.ResponseStream, offset, destination, received, token).ConfigureAwait(false);
                }

                return received.Value;
            },
            S3Errors.IsTransient,
            cancellationToken).ConfigureAwait(false);
        return received.Value;
    }
}
