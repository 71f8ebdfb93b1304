using System.Buffers;
using Amazon.S3;
using Amazon.S3.Model;
using Pipeline.Core.Storage;

namespace Pipeline.Storage.S3.Internal;

/// <summary>Writes an S3 object as a multipart upload, one part uploading while the next fills; the object appears only at completion, and a failure aborts the upload.</summary>
/// <remarks>An object smaller than one part is sent as a single <c>PutObject</c> at completion. Every body is sent with <c>UseChunkEncoding = false</c>: S3-compatible servers such as s3rver would otherwise store the aws-chunked framing as object bytes.</remarks>
internal sealed class S3UploadStream : StorageWriteStream
{
    private readonly IAmazonS3 _client;
    private readonly S3Location _location;
    private readonly StorageOptions _options;
    private readonly List<PartETag> _parts = [];
    private byte[]? _buffer;
    private int _filled;
    private long _written;
    private string? _uploadId;
    private Task? _pending;
    private bool _completed;
    private bool _aborted;
    private bool _disposed;

    public S3UploadStream(IAmazonS3 client, S3Location location, StorageOptions options)
    {
        _client = client;
        _location = location;
        _options = options;
        _buffer = ArrayPool<byte>.Shared.Rent(options.WritePartSize);
    }

    public override string Location => _location.Text;

    public override bool IsAborted => _aborted;

    public override bool CanWrite => !_disposed && !_completed && !_aborted;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureWritable();
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, _options.WritePartSize - _filled);
            buffer[..n].CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            _written += n;
            buffer = buffer[n..];
            if (_filled == _options.WritePartSize) Run(() => SendFullPartAsync(CancellationToken.None)).GetAwaiter().GetResult();
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, _options.WritePartSize - _filled);
            buffer[..n].Span.CopyTo(_buffer.AsSpan(_filled));
            _filled += n;
            _written += n;
            buffer = buffer[n..];
            if (_filled == _options.WritePartSize) await Run(() => SendFullPartAsync(cancellationToken)).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
        // Parts are sent when full; nothing becomes visible before completion anyway.
    }

    public override async Task CompleteAsync(CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        await Run(async () =>
        {
            if (_uploadId is null)
            {
                await PutWholeAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (_filled > 0 || _parts.Count == 0) await SendFullPartAsync(cancellationToken).ConfigureAwait(false);
                if (_pending is not null) await _pending.ConfigureAwait(false);
                _pending = null;
                var request = new CompleteMultipartUploadRequest { BucketName = _location.Bucket, Key = _location.Key, UploadId = _uploadId, PartETags = [.. _parts] };
                await Retry((_, token) => new ValueTask<CompleteMultipartUploadResponse>(_client.CompleteMultipartUploadAsync(request, token)), cancellationToken).ConfigureAwait(false);
            }

            _completed = true;
            ReturnBuffer();
        }).ConfigureAwait(false);
    }

    public override void Abort()
    {
        if (_completed || _aborted) return;
        _aborted = true;
        ReturnBuffer();
        if (_uploadId is null) return;
        try
        {
            // Let a part still in flight finish first, or S3 may keep it after the abort.
            _pending?.Wait(_options.RequestTimeout);
        }
        catch (AggregateException)
        {
            // The part's failure is why we abort.
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.RequestTimeout);
            _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _location.Bucket, Key = _location.Key, UploadId = _uploadId }, timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is AmazonS3Exception or HttpRequestException or IOException or OperationCanceledException)
        {
            // Best effort: an unfinished upload is never visible as an object, and bucket lifecycle rules clean up what an abort could not.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            try
            {
                if (!_completed && !_aborted) CompleteAsync().GetAwaiter().GetResult();
            }
            finally
            {
                _disposed = true;
                ReturnBuffer();
            }
        }

        base.Dispose(disposing);
    }

    private async Task Run(Func<Task> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch
        {
            Abort();
            throw;
        }
    }

    private void EnsureWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_aborted) throw new StorageException($"The upload to '{Location}' was aborted after a failure; nothing was written.", Location, _written, null);
        if (_completed) throw new InvalidOperationException($"The upload to '{Location}' is complete; it cannot be written to.");
    }

    private async Task SendFullPartAsync(CancellationToken cancellationToken)
    {
        if (_uploadId is null)
        {
            var initiate = new InitiateMultipartUploadRequest { BucketName = _location.Bucket, Key = _location.Key };
            InitiateMultipartUploadResponse started = await Retry(
                (_, token) => new ValueTask<InitiateMultipartUploadResponse>(_client.InitiateMultipartUploadAsync(initiate, token)), cancellationToken).ConfigureAwait(false);
            _uploadId = started.UploadId;
        }

        // At most one part in flight while the next one fills: memory stays at two parts.
        if (_pending is not null) await _pending.ConfigureAwait(false);
        byte[] part = _buffer!;
        int length = _filled;
        int number = _parts.Count + 1;
        _parts.Add(new PartETag(number, string.Empty));
        _buffer = ArrayPool<byte>.Shared.Rent(_options.WritePartSize);
        _filled = 0;
        _pending = UploadPartAsync(part, length, number, cancellationToken);
    }

    private async Task UploadPartAsync(byte[] part, int length, int number, CancellationToken cancellationToken)
    {
        try
        {
            UploadPartResponse response = await Retry(
                (_, token) =>
                {
                    var request = new UploadPartRequest
                    {
                        BucketName = _location.Bucket,
                        Key = _location.Key,
                        UploadId = _uploadId,
                        PartNumber = number,
                        PartSize = length,
                        InputStream = new MemoryStream(part, 0, length, writable: false),
                        UseChunkEncoding = false,
                    };
                    return new ValueTask<UploadPartResponse>(_client.UploadPartAsync(request, token));
                },
                cancellationToken).ConfigureAwait(false);
            _parts[number - 1] = new PartETag(number, response.ETag);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(part);
        }
    }

    private async Task PutWholeAsync(CancellationToken cancellationToken)
    {
        byte[] body = _buffer!;
        int length = _filled;
        await Retry(
            (_, token) =>
            {
                var request = new PutObjectRequest
                {
                    BucketName = _location.Bucket,
                    Key = _location.Key,
                    InputStream = new MemoryStream(body, 0, length, writable: false),
                    UseChunkEncoding = false,
                    AutoCloseStream = true,
                };
                return new ValueTask<PutObjectResponse>(_client.PutObjectAsync(request, token));
            },
            cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<T> Retry<T>(Func<int, CancellationToken, ValueTask<T>> attempt, CancellationToken cancellationToken) =>
        StorageRetry.RunAsync(Location, () => _written, _options, attempt, S3Errors.IsTransient, cancellationToken);

    private void ReturnBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
