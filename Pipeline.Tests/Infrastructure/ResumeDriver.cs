using System.Security.Cryptography;
using Pipeline.Core;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Plays a consumer's script against an iterator: read until the end of the epoch, reset, again; logs a hash of every batch.</summary>
/// <remarks>A step is one call: <c>NextAsync</c>, or <c>Reset</c> right after the epoch's end. A state saved between steps
/// carries whether the last call saw the end (<see cref="IteratorState.Ended"/>), so a restored driver goes on with the same step.</remarks>
internal sealed class ResumeDriver
{
    private readonly DataIter _iter;
    private bool _pendingReset;

    public ResumeDriver(DataIter iter, bool pendingReset = false)
    {
        _iter = iter;
        _pendingReset = pendingReset;
    }

    public List<string> Log { get; } = [];

    /// <summary>Runs <paramref name="steps"/> steps.</summary>
    public async Task RunAsync(int steps)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (int i = 0; i < steps; i++)
        {
            if (_pendingReset)
            {
                _iter.Reset();
                _pendingReset = false;
                Log.Add("reset");
                continue;
            }

            using DataBatch? batch = await _iter.NextAsync(timeout.Token);
            if (batch is null)
            {
                _pendingReset = true;
                Log.Add("end");
                continue;
            }

            Log.Add(Hash(batch));
        }
    }

    /// <summary>Runs an uninterrupted script of <paramref name="steps"/> steps.</summary>
    public static async Task<List<string>> UninterruptedAsync(DataIter iter, int steps)
    {
        var driver = new ResumeDriver(iter);
        await driver.RunAsync(steps);
        return driver.Log;
    }

    /// <summary>Runs the same script in three iterators: to <paramref name="cut1"/>, save, restore into a new one (through bytes), to <paramref name="cut2"/>, again, to the end.</summary>
    /// <param name="steps">The script's length.</param>
    /// <param name="cut1">The first cut.</param>
    /// <param name="cut2">The second cut.</param>
    /// <param name="make">Makes an iterator; the argument (0, 1, 2) lets the three differ in thread count and prefetch depth.</param>
    /// <param name="startSecond">Whether the second iterator reads a batch before it restores (restore after the start).</param>
    public static async Task<List<string>> InterruptedAsync(Func<int, DataIter> make, int steps, int cut1, int cut2, bool startSecond)
    {
        var log = new List<string>();
        IteratorState? state = null;
        int done = 0;
        int[] cuts = [cut1, cut2, steps];
        for (int part = 0; part < 3; part++)
        {
            DataIter iter = make(part);
            try
            {
                if (state is not null)
                {
                    if (part == 1 && startSecond) (await iter.NextAsync())?.Dispose();
                    byte[] bytes = state.ToBytes();
                    iter.RestoreState(IteratorState.FromBytes(bytes));
                }

                var driver = new ResumeDriver(iter, state?.Ended ?? false);
                await driver.RunAsync(cuts[part] - done);
                done = cuts[part];
                log.AddRange(driver.Log);
                state = iter.SaveState();
            }
            finally
            {
                await iter.DisposeAsync();
            }
        }

        return log;
    }

    public static string Hash(DataBatch batch)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (NDArray array in batch.Data.Concat(batch.Label)) hash.AppendData(array.AsBytes());
        if (batch.Index is { } index) foreach (long i in index) hash.AppendData(BitConverter.GetBytes(i));
        return $"pad {batch.Pad} {Convert.ToHexString(hash.GetHashAndReset())[..16]}";
    }
}
