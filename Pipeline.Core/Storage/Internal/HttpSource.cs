using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Net.Http.Headers;

namespace Pipeline.Core.Storage.Internal;

/// <summary>An HTTP(S) resource read with range requests pinned to its ETag (or modification time); a body cut short resumes at the byte it reached.</summary>
internal sealed class HttpSource : ByteSource
{
    private readonly HttpClient _client;
    private readonly Uri _uri;
    private readonly EntityTagHeaderValue? _etag;
    private readonly DateTimeOffset? _lastModified;
    private readonly StorageOptions _options;

    public HttpSource(HttpClient client, Uri uri, string location, long length, EntityTagHeaderValue? etag, DateTimeOffset? lastModified, StorageOptions options)
        : base(location, length, etag?.Tag)
    {
        _client = client;
        _uri = uri;
        _etag = etag;
        _lastModified = lastModified;
        _options = options;
    }

    protected override async ValueTask<int> ReadCoreAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var received = new StrongBox<int>();
        await StorageRetry.RunAsync(
            Location,
            () => offset + received.Value,
            _options,
            async (_, token) =>
            {
                long from = offset + received.Value;
                using var request = new HttpRequestMessage(HttpMethod.Get, _uri);
                request.Headers.Range = new RangeHeaderValue(from, offset + destination.Length - 1);
                if (_etag is not null) request.Headers.IfMatch.Add(_etag);
                else if (_lastModified is not null) request.Headers.IfUnmodifiedSince = _lastModified;
                using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    throw new ObjectChangedException($"'{Location}' at offset {from} no longer exists (HTTP 404); it was deleted while it was read.", Location, from, null);
                }

                HttpStatusCodeCheck(response, from);

                // Checked here too, for servers that ignore If-Match.
                if (_etag is not null && response.Headers.ETag is { } etag && etag.Tag != _etag.Tag)
                {
                    throw new ObjectChangedException($"'{Location}' at offset {from} was replaced while it was read (its ETag changed from {_etag.Tag} to {etag.Tag}).", Location, from, null);
                }

                Stream body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                await using (body.ConfigureAwait(false))
                {
                    await ReceiveBodyAsync(body, offset, destination, received, token).ConfigureAwait(false);
                }

                return received.Value;
            },
            HttpStorageProvider.IsTransient,
            cancellationToken).ConfigureAwait(false);
        return received.Value;
    }

    private void HttpStatusCodeCheck(HttpResponseMessage response, long from)
    {
        HttpStorageProvider.ThrowOnError(response, Location, from);
        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            // A 200 is the whole object: the server ignored the range, and reading on would mix offsets.
            throw new StorageException(
                string.Create(CultureInfo.InvariantCulture, $"'{Location}' at offset {from}: the server answered HTTP {(int)response.StatusCode} instead of 206 to a range request; it must support byte ranges."), Location, from, null);
        }
    }
}
