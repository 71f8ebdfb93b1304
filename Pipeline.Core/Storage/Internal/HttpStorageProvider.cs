using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Pipeline.Core.Storage.Internal;

/// <summary>Opens <c>http://</c> and <c>https://</c> resources for reading with range requests (read-only).</summary>
internal sealed class HttpStorageProvider : StorageProvider
{
    // One connection pool per connect timeout: HttpClient is meant to be shared.
    private static readonly ConcurrentDictionary<TimeSpan, HttpClient> s_clients = new();

    public override async ValueTask<ByteSource> OpenReadAsync(Uri uri, StorageOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(options);
        HttpClient client = GetClient(options);
        string location = ObjectStorage.Describe(uri);
        (long length, EntityTagHeaderValue? etag, DateTimeOffset? lastModified) = await StorageRetry.RunAsync(
            location,
            offset: null,
            options,
            async (_, token) =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Head, uri);
                using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                ThrowOnError(response, location, offset: null);
                long? contentLength = response.Content.Headers.ContentLength;
                if (contentLength is null) throw new StorageException($"'{location}' did not report its length (no Content-Length); range requests need it.", location, null, null);
                return (contentLength.Value, response.Headers.ETag, response.Content.Headers.LastModified);
            },
            IsTransient,
            cancellationToken).ConfigureAwait(false);

        // A weak ETag cannot be used with If-Match; the modification time pins the version instead.
        return new HttpSource(client, uri, location, length, etag is { IsWeak: false } ? etag : null, etag is { IsWeak: false } ? null : lastModified, options);
    }

    internal static HttpClient GetClient(StorageOptions options) => s_clients.GetOrAdd(options.ConnectTimeout, static timeout => new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = timeout,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        // Every request runs under StorageRetry's per-attempt timeout instead.
        Timeout = Timeout.InfiniteTimeSpan,
    });

    internal static bool IsTransient(Exception exception) => exception is HttpRequestException or IOException or TimeoutException;

    /// <summary>Maps an error status to the exception the retry loop understands: 5xx, 429 and 408 are transient.</summary>
    internal static void ThrowOnError(HttpResponseMessage response, string location, long? offset)
    {
        if (response.IsSuccessStatusCode) return;
        HttpStatusCode status = response.StatusCode;
        string where = offset is null ? $"'{location}'" : string.Create(CultureInfo.InvariantCulture, $"'{location}' at offset {offset}");
        if (status == HttpStatusCode.NotFound) throw new FileNotFoundException($"{where} does not exist (HTTP 404).", location);
        if (status == HttpStatusCode.PreconditionFailed)
        {
            throw new ObjectChangedException($"{where} was replaced while it was read (HTTP 412: its ETag no longer matches the version opened).", location, offset, null);
        }

        if ((int)status >= 500 || status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
        {
            throw new HttpRequestException(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)status} {response.ReasonPhrase}"), null, status);
        }

        throw new StorageException(string.Create(CultureInfo.InvariantCulture, $"{where} was refused: HTTP {(int)status} {response.ReasonPhrase}."), location, offset, null);
    }
}
