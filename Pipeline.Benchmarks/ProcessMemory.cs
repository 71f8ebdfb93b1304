using System.Globalization;

namespace Pipeline.Benchmarks;

/// <summary>The process's resident set from <c>/proc/self/status</c> (Linux): the peak (<c>VmHWM</c>, which cannot be reset) and the current (<c>VmRSS</c>).</summary>
internal static class ProcessMemory
{
    /// <summary>Gets the peak resident set in bytes, or <see langword="null"/> where <c>/proc</c> has no <c>VmHWM</c>.</summary>
    public static long? PeakResident => Read("VmHWM:");

    /// <summary>Gets the current resident set in bytes, or <see langword="null"/>.</summary>
    public static long? Resident => Read("VmRSS:");

    /// <summary>Formats a byte count from <see cref="PeakResident"/> or <see cref="Resident"/> as MB (10^6), or "n/a".</summary>
    public static string Format(long? bytes) => bytes is { } b ? (b / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB" : "n/a";

    private static long? Read(string key)
    {
        const string Status = "/proc/self/status";
        if (!File.Exists(Status)) return null;
        foreach (string line in File.ReadLines(Status))
        {
            // "VmHWM:\t  123456 kB"
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                string[] parts = line[key.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return null;
    }
}
