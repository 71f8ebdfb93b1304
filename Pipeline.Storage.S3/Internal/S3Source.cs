using System.Globalization;
using System.Net;
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
        int got = 0;
        await StorageRetry.RunAsync(
            Location,
            () => offset + got,
            options,
            async (_, token) =>
            {
                long from = offset + got;
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

                    Stream body = response.ResponseStream;

                    // Progress is kept across attempts: a retry asks only for the bytes still missing.
                    while (got < destination.Length)
                    {
                        int read = await body.ReadAsync(destination[got..], token).ConfigureAwait(false);
                        if (read == 0) break;
                        got += read;
                    }
                }

                if (got < destination.Length)
                {
                    throw new IOException(string.Create(CultureInfo.InvariantCulture, $"The response body ended after {offset + got - from} of {offset + destination.Length - from} bytes."));
                }

                return got;
            },
            S3Errors.IsTransient,
            cancellationToken).ConfigureAwait(false);
        return got;
    }
}
