using System.Diagnostics;
using Amazon.S3;
using Amazon.S3.Model;
using Pipeline.Core.Storage;

namespace Pipeline.Tests.Infrastructure.Servers;

/// <summary>A real s3rver (the npm S3 server pinned in tools/s3rver) on a free 127.0.0.1 port with a temporary data folder; stopped on dispose.</summary>
internal sealed class S3rverServer : IDisposable
{
    public const string Bucket = "pipeline";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private readonly Process _process;
    private readonly TempDirectory _data;

    static S3rverServer() => HermeticAwsEnvironment();

    private S3rverServer(Process process, TempDirectory data, int port)
    {
        _process = process;
        _data = data;
        Port = port;
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        Options = For(Endpoint);
        Client = new AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(AccessKey, SecretKey), new AmazonS3Config
        {
            ServiceURL = Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    public int Port { get; }

    public Uri Endpoint { get; }

    /// <summary>Options that reach this server with its keys, and short retry delays for tests.</summary>
    public StorageOptions Options { get; }

    /// <summary>A plain SDK client, to check what the library wrote independently of it.</summary>
    public AmazonS3Client Client { get; }

    public string DataDirectory => _data.Path;

    public static StorageOptions For(Uri endpoint) => new()
    {
        S3Endpoint = endpoint,
        S3Region = "us-east-1",
        S3AccessKeyId = AccessKey,
        S3SecretAccessKey = SecretKey,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>The SDK must never look for credentials off this machine (instance metadata) or in the user's own AWS files.</summary>
    public static void HermeticAwsEnvironment()
    {
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/pipeline-tests/credentials");
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", "/nonexistent/pipeline-tests/config");
    }

    public static S3rverServer Start()
    {
        string script = ServerRequirement.S3rverScript ?? throw new InvalidOperationException("s3rver is required: run `npm ci` in tools/s3rver (.ci/run does).");
        string node = ServerRequirement.Node ?? throw new InvalidOperationException("node is required to run s3rver.");
        var data = new TempDirectory();
        for (int attempt = 0; ; attempt++)
        {
            int port = ServerRequirement.FreePort();
            var info = new ProcessStartInfo(node)
            {
                ArgumentList = { script, "-d", data.Path, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--configure-bucket", Bucket },
            };
            try
            {
                return new S3rverServer(ServerRequirement.StartListening(info, port, "s3rver", TimeSpan.FromSeconds(30)), data, port);
            }
            catch (Exception error)
            {
                // Lost the free port to another process between choosing and binding it: try another.
                if (error is InvalidOperationException && attempt < 2) continue;
                data.Dispose();
                throw;
            }
        }
    }

    public static string Uri(string key) => $"s3://{Bucket}/{key}";

    public void Put(string key, byte[] bytes)
    {
        Client.PutObjectAsync(new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(bytes), UseChunkEncoding = false }).GetAwaiter().GetResult();
    }

    public byte[]? Get(string key)
    {
        try
        {
            using GetObjectResponse response = Client.GetObjectAsync(Bucket, key).GetAwaiter().GetResult();
            using var copy = new MemoryStream();
            response.ResponseStream.CopyTo(copy);
            return copy.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        Client.Dispose();
        _data.Dispose();
    }
}
