using Pipeline.Core.Storage;

namespace Pipeline.Stages.Iterators.Internal;

/// <summary>Checks the files an iterator's options name, so that a missing one is reported under the option's name (as <c>CsvIter</c> does).</summary>
internal static class OptionFiles
{
    /// <summary>Fails when a local file named by an option does not exist; a remote one is checked when it is first read.</summary>
    /// <param name="path">The path or URI, or <see langword="null"/> when the option is not set.</param>
    /// <param name="option">The option's name, for the message.</param>
    /// <exception cref="FileNotFoundException">The local file does not exist.</exception>
    public static void Require(string? path, string option)
    {
        if (path is null) return;
        if (ObjectStorage.TryGetLocalPath(path, out string? local) && !File.Exists(local))
        {
            throw new FileNotFoundException($"{option}: '{path}' does not exist.", path);
        }
    }
}
