using System.Globalization;

namespace Pipeline.Core.Storage;

/// <summary>The one retry loop every remote store uses: a per-attempt timeout, exponential backoff with full jitter, a bounded number of attempts, then an error naming the location and offset.</summary>
/// <remarks>For providers: the attempt resumes where the previous one stopped (the caller keeps its progress), so a retried read never repeats or skips a byte. An attempt that made progress (the offset moved on) does not count toward <see cref="StorageOptions.MaxRetries"/>.</remarks>
public static class StorageRetry
{
    /// <summary>Runs an operation, retrying transient failures.</summary>
    /// <typeparam name="T">The result.</typeparam>
    /// <param name="location">The URI, for messages.</param>
    /// <param name="offset">Gives the byte offset the next attempt starts at, for messages; <see langword="null"/> when there is none.</param>
    /// <param name="options">Timeouts and retry settings.</param>
    /// <param name="attempt">One attempt, given its number (from 0) and a token that fires at the request timeout or on cancellation.</param>
    /// <param name="isTransient">Whether a failure may succeed when tried again (5xx, 429, a reset connection). Timeouts always are.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="StorageException">Every attempt failed, or a failure was not transient; the message names the location and offset.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async ValueTask<T> RunAsync<T>(
        string location,
        Func<long>? offset,
        StorageOptions options,
        Func<int, CancellationToken, ValueTask<T>> attempt,
        Func<Exception, bool> isTransient,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(isTransient);
        long? lastFailedAt = null;
        for (int number = 0; ; number++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (options.RequestTimeout != Timeout.InfiniteTimeSpan) timeout.CancelAfter(options.RequestTimeout);
            Exception failure;
            bool transient;
            try
            {
                return await attempt(number, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is not PipelineException and not FileNotFoundException and not UnauthorizedAccessException)
            {
                failure = timeout.IsCancellationRequested
                    ? new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"No complete answer within the request timeout of {options.RequestTimeout.TotalSeconds:0.###} s."), ex)
                    : ex;
                transient = timeout.IsCancellationRequested || isTransient(ex);
            }

            long? at = offset?.Invoke();

            // An attempt that moved the offset on was not wasted: only failures without progress count toward the limit.
            if (at is not null && lastFailedAt is not null && at > lastFailedAt) number = 0;
            lastFailedAt = at;
            string where = at is null ? $"'{location}'" : string.Create(CultureInfo.InvariantCulture, $"'{location}' at offset {at}");
            if (!transient)
            {
                throw new StorageException($"Request for {where} failed: {failure.Message}", location, at, failure);
            }

            if (number >= options.MaxRetries)
            {
                throw new StorageException(
                    string.Create(CultureInfo.InvariantCulture, $"Request for {where} failed after {number + 1} attempts: {failure.Message}"), location, at, failure);
            }

            await Task.Delay(Backoff(options, number), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gets the delay before retry <paramref name="number"/> (from 0): uniform in [0, min(max, base * 2^number)].</summary>
    /// <param name="options">The retry settings.</param>
    /// <param name="number">The retry's number.</param>
    /// <returns>The delay.</returns>
    public static TimeSpan Backoff(StorageOptions options, int number)
    {
        ArgumentNullException.ThrowIfNull(options);
        double cap = Math.Min(options.RetryMaxDelay.TotalMilliseconds, options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(number, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
    }
}
