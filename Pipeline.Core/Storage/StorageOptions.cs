using System.Globalization;
using System.Text;

namespace Pipeline.Core.Storage;

/// <summary>How remote data is read and written: timeouts, retries, read-ahead and, for code that configures it, the S3 endpoint and credentials.</summary>
/// <remarks>
/// <para>Defaults: <see cref="ConnectTimeout"/> 10 s, <see cref="RequestTimeout"/> 30 s, <see cref="MaxRetries"/> 6 with
/// exponential backoff from <see cref="RetryBaseDelay"/> 100 ms up to <see cref="RetryMaxDelay"/> 5 s (full jitter),
/// <see cref="ReadAheadChunkSize"/> 16 MiB with <see cref="ReadAheadDepth"/> 3 requests in flight (48 MiB of read-ahead
/// per sequential reader; fewer, larger requests cost the client and the server less per byte than 8 MiB x 4; the first
/// request after opening or a seek asks for 1 MiB and each next one for twice the last, up to the chunk size, so reading
/// starts after 1 MiB has arrived), <see cref="CoalesceGap"/> 256 KiB, <see cref="WritePartSize"/> 16 MiB.</para>
/// <para>The S3 settings left <see langword="null"/> come from the standard AWS environment and profile chain
/// (<c>AWS_ENDPOINT_URL_S3</c> or <c>AWS_ENDPOINT_URL</c>, <c>AWS_REGION</c>, <c>AWS_ACCESS_KEY_ID</c> /
/// <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_PROFILE</c>). <see cref="ToString"/> never prints the secret key.</para>
/// </remarks>
public sealed record StorageOptions
{
    /// <summary>Gets the options every reader and writer uses when none are given.</summary>
    public static StorageOptions Default { get; } = new();

    /// <summary>Gets the longest wait for a connection to be established.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the longest one request may take, headers and body, before it is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how many times a failed request (timeout, 5xx, 429, a connection reset mid-body) is retried before the error is raised.</summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>Gets the delay before the first retry; each further retry doubles it, up to <see cref="RetryMaxDelay"/>, with full jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the longest delay between two attempts.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the size of one ranged request of a sequential read, in bytes.</summary>
    public int ReadAheadChunkSize { get; init; } = 16 << 20;

    /// <summary>Gets how many ranged requests a sequential read keeps in flight; read-ahead memory is this times <see cref="ReadAheadChunkSize"/>.</summary>
    public int ReadAheadDepth { get; init; } = 3;

    /// <summary>Gets the largest gap, in bytes, between two records that an index-driven read fetches in one request rather than two.</summary>
    public int CoalesceGap { get; init; } = 256 << 10;

    /// <summary>Gets the size of one part of a multipart upload, in bytes (at least 5 MiB, S3's minimum).</summary>
    public int WritePartSize { get; init; } = 16 << 20;

    /// <summary>Gets the S3 endpoint, or <see langword="null"/> to take it from <c>AWS_ENDPOINT_URL_S3</c> / <c>AWS_ENDPOINT_URL</c> (or AWS itself).</summary>
    public Uri? S3Endpoint { get; init; }

    /// <summary>Gets the S3 region, or <see langword="null"/> to take it from <c>AWS_REGION</c> / <c>AWS_DEFAULT_REGION</c> (then <c>us-east-1</c>).</summary>
    public string? S3Region { get; init; }

    /// <summary>Gets the access key id, or <see langword="null"/> to use the AWS credential chain.</summary>
    public string? S3AccessKeyId { get; init; }

    /// <summary>Gets the secret access key, or <see langword="null"/> to use the AWS credential chain. Never printed.</summary>
    public string? S3SecretAccessKey { get; init; }

    /// <summary>Gets whether to address buckets in the path (<c>http://host/bucket/key</c>); <see langword="null"/> means yes for a custom endpoint and no for AWS.</summary>
    public bool? S3ForcePathStyle { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the option.</exception>
    /// <exception cref="ArgumentException">Only one of <see cref="S3AccessKeyId"/> and <see cref="S3SecretAccessKey"/> is set.</exception>
    public void Validate()
    {
        Positive(ConnectTimeout, nameof(ConnectTimeout));
        Positive(RequestTimeout, nameof(RequestTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        if (RetryBaseDelay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RetryBaseDelay), RetryBaseDelay, "RetryBaseDelay must not be negative.");
        if (RetryMaxDelay < RetryBaseDelay) throw new ArgumentOutOfRangeException(nameof(RetryMaxDelay), RetryMaxDelay, "RetryMaxDelay must be at least RetryBaseDelay.");
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadAheadChunkSize, 4096, nameof(ReadAheadChunkSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadAheadDepth, 1, nameof(ReadAheadDepth));
        ArgumentOutOfRangeException.ThrowIfNegative(CoalesceGap, nameof(CoalesceGap));
        ArgumentOutOfRangeException.ThrowIfLessThan(WritePartSize, 5 << 20, nameof(WritePartSize));
        if ((S3AccessKeyId is null) != (S3SecretAccessKey is null))
        {
            throw new ArgumentException("S3AccessKeyId and S3SecretAccessKey must be set together.", S3AccessKeyId is null ? nameof(S3AccessKeyId) : nameof(S3SecretAccessKey));
        }
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be positive."));
        }
    }

    // The record's generated ToString would print the secret key.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"ConnectTimeout = {ConnectTimeout}, RequestTimeout = {RequestTimeout}, MaxRetries = {MaxRetries}, ");
        builder.Append(CultureInfo.InvariantCulture, $"RetryBaseDelay = {RetryBaseDelay}, RetryMaxDelay = {RetryMaxDelay}, ReadAheadChunkSize = {ReadAheadChunkSize}, ");
        builder.Append(CultureInfo.InvariantCulture, $"ReadAheadDepth = {ReadAheadDepth}, CoalesceGap = {CoalesceGap}, WritePartSize = {WritePartSize}, ");
        builder.Append(CultureInfo.InvariantCulture, $"S3Endpoint = {S3Endpoint}, S3Region = {S3Region}, S3AccessKeyId = {(S3AccessKeyId is null ? "null" : "(set)")}, ");
        builder.Append(CultureInfo.InvariantCulture, $"S3SecretAccessKey = {(S3SecretAccessKey is null ? "null" : "(set)")}, S3ForcePathStyle = {S3ForcePathStyle}");
        return true;
    }
}
