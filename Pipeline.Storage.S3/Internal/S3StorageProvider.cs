using Amazon.S3;
using Amazon.S3.Model;
using Pipeline.Core.Storage;

namespace Pipeline.Storage.S3.Internal;

/// <summary>Serves <c>s3://bucket/key</c>: ranged <c>GetObject</c> pinned to the ETag for reads, multipart uploads for writes.</summary>
internal sealed class S3StorageProvider : StorageProvider
{
    public override async ValueTask<ByteSource> OpenReadAsync(Uri uri, StorageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        S3Location location = S3Location.Parse(uri);
        IAmazonS3 client = S3Clients.Get(options, location.Text);
        GetObjectMetadataResponse metadata = await StorageRetry.RunAsync(
            location.Text,
            offset: null,
            options,
            async (_, token) =>
            {
                try
                {
                    return await client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = location.Bucket, Key = location.Key }, token).ConfigureAwait(false);
                }
                catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
                {
                    throw new FileNotFoundException($"'{location.Text}' does not exist (S3 404: no such bucket or key).", location.Text, ex);
                }
            },
            S3Errors.IsTransient,
            cancellationToken).ConfigureAwait(false);
        return new S3Source(client, location, metadata.ContentLength, metadata.ETag, options);
    }

    public override StorageWriteStream OpenWrite(Uri uri, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        S3Location location = S3Location.Parse(uri);
        return new S3UploadStream(S3Clients.Get(options, location.Text), location, options);
    }
}
