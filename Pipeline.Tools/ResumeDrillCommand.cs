using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Core;
using Pipeline.Stages.Iterators;
using Spectre.Console;

namespace Pipeline.Tools;

/// <summary>A hidden command for the resume drill: trains (reads batches) through an <see cref="ImageRecordIter"/>, logging a hash of every batch and saving the iterator's state after each.</summary>
/// <remarks>
/// The test runs it as a child process, kills it with SIGKILL once it has logged its batches, and starts it again with
/// <c>--restore</c>: the two logs together must equal one uninterrupted run's. The state file is replaced atomically, so a
/// kill at any moment leaves the state of a batch that is in the log.
/// </remarks>
internal static class ResumeDrillCommand
{
    public const string Name = "resume-drill";

    public static Command Create(IAnsiConsole console)
    {
        var rec = new Option<string>("--rec") { Description = "The .rec file.", Required = true };
        var state = new Option<string>("--state") { Description = "The state file.", Required = true };
        var log = new Option<string>("--log") { Description = "The log of batch hashes (appended to).", Required = true };
        var steps = new Option<int>("--steps") { Description = "Calls to make: NextAsync, or Reset after an epoch's end.", Required = true };
        var restore = new Option<bool>("--restore") { Description = "Restore the state file first." };
        var wait = new Option<bool>("--wait") { Description = "After the steps, write <log>.ready and wait to be killed." };
        var threads = new Option<int>("--threads") { Description = "Decode threads.", DefaultValueFactory = _ => 1 };
        var command = new Command(Name, "Read batches, log their hashes and save the iterator state after each (used by the resume tests).")
        {
            rec, state, log, steps, restore, wait, threads,
        };
        command.Hidden = true;
        command.SetAction(async (result, cancellationToken) =>
        {
            string statePath = result.GetRequiredValue(state);
            string logPath = result.GetRequiredValue(log);
            await using var iter = new ImageRecordIter(new ImageRecordIterOptions
            {
                PathImgRec = result.GetRequiredValue(rec), DataShape = [3, 6, 6], BatchSize = 3, Shuffle = true, Seed = 7, RandCrop = true, RandMirror = true,
                PreprocessThreads = result.GetValue(threads), PrefetchBuffer = 1 + result.GetValue(threads),
            });
            bool pendingReset = false;
            if (result.GetValue(restore))
            {
                IteratorState saved = IteratorState.FromBytes(await File.ReadAllBytesAsync(statePath, cancellationToken).ConfigureAwait(false));
                iter.RestoreState(saved);
                pendingReset = saved.Ended;
            }

            for (int i = 0; i < result.GetValue(steps); i++)
            {
                string line;
                if (pendingReset)
                {
                    iter.Reset();
                    pendingReset = false;
                    line = "reset";
                }
                else
                {
                    using DataBatch? batch = await iter.NextAsync(cancellationToken).ConfigureAwait(false);
                    pendingReset = batch is null;
                    line = batch is null ? "end" : Hash(batch);
                }

                await File.AppendAllTextAsync(logPath, line + "\n", cancellationToken).ConfigureAwait(false);
                string temporary = statePath + ".tmp";
                await File.WriteAllBytesAsync(temporary, iter.SaveState().ToBytes(), cancellationToken).ConfigureAwait(false);
                File.Move(temporary, statePath, overwrite: true);
            }

            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"state {iter.SaveState()}"));
            if (!result.GetValue(wait)) return 0;
            await File.WriteAllTextAsync(logPath + ".ready", "ready", cancellationToken).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static string Hash(DataBatch batch)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (NDArray array in batch.Data.Concat(batch.Label)) hash.AppendData(array.AsBytes());
        if (batch.Index is { } index) foreach (long i in index) hash.AppendData(BitConverter.GetBytes(i));
        return string.Create(CultureInfo.InvariantCulture, $"pad {batch.Pad} {Convert.ToHexString(hash.GetHashAndReset())}");
    }
}
