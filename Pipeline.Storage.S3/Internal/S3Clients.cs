using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.S3;
using Pipeline.Core.Storage;

namespace Pipeline.Storage.S3.Internal;

/// <summary>One S3 client per options snapshot, configured from the options and then the standard AWS environment and profile chain.</summary>
internal static class S3Clients
{
    private static readonly ConcurrentDictionary<StorageOptions, IAmazonS3> s_clients = new();

    public static IAmazonS3 Get(StorageOptions options, string location)
    {
        try
        {
            return s_clients.GetOrAdd(options, Create);
        }
        catch (Exception ex) when (ex is AmazonClientException or ArgumentException or InvalidOperationException)
        {
            // The SDK's messages name settings, never secrets.
            throw new StorageException($"Cannot configure S3 for '{location}': {ex.Message}", location, null, ex);
        }
    }

    private static AmazonS3Client Create(StorageOptions options)
    {
        string? endpoint = options.S3Endpoint?.ToString() ?? Env("AWS_ENDPOINT_URL_S3") ?? Env("AWS_ENDPOINT_URL");
        string region = options.S3Region ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? "us-east-1";
        var config = new AmazonS3Config
        {
            // The retry loop is StorageRetry's, shared with HTTP: resume at the exact offset, jittered backoff.
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
            ConnectTimeout = options.ConnectTimeout,

            // Checksums on every request make AWSSDK 4 send aws-chunked bodies, which S3-compatible servers
            // such as s3rver store verbatim; ask for them only where S3 requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region;
            config.ForcePathStyle = options.S3ForcePathStyle ?? true;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
            config.ForcePathStyle = options.S3ForcePathStyle ?? false;
        }

        // Without explicit keys the SDK's default chain applies: environment, profiles (AWS_PROFILE), SSO, containers, instance roles.
        return options.S3AccessKeyId is not null
            ? new AmazonS3Client(new BasicAWSCredentials(options.S3AccessKeyId, options.S3SecretAccessKey), config)
            : new AmazonS3Client(config);
    }

    private static string? Env(string name)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
