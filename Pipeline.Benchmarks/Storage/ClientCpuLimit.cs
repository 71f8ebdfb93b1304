using System.Globalization;

namespace Pipeline.Benchmarks.Storage;

/// <summary>
/// Confines this process to a share of the machine's cores (a cgroup v1 CPU quota) while the servers it started before
/// stay outside: a client machine with that many cores reading from a store that has its own, as in a real deployment.
/// </summary>
/// <remarks>Needs root and the cgroup v1 <c>cpu</c> controller at /sys/fs/cgroup/cpu; the constructor says so otherwise.</remarks>
internal sealed class ClientCpuLimit : IDisposable
{
    private const string Root = "/sys/fs/cgroup/cpu";
    private const int PeriodMicroseconds = 100_000;
    private readonly string _group;

    public ClientCpuLimit(double cores)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 0.1);
        if (!File.Exists(Path.Combine(Root, "cpu.cfs_quota_us")))
        {
            throw new PlatformNotSupportedException($"--client-cores needs the cgroup v1 cpu controller at {Root} (and root); it is not there.");
        }

        _group = Path.Combine(Root, string.Create(CultureInfo.InvariantCulture, $"mxdataio-bench-{Environment.ProcessId}"));
        Directory.CreateDirectory(_group);
        File.WriteAllText(Path.Combine(_group, "cpu.cfs_period_us"), PeriodMicroseconds.ToString(CultureInfo.InvariantCulture));
        File.WriteAllText(Path.Combine(_group, "cpu.cfs_quota_us"), ((int)(cores * PeriodMicroseconds)).ToString(CultureInfo.InvariantCulture));

        // Writing the process id to cgroup.procs moves every thread of the process; child processes started later follow.
        File.WriteAllText(Path.Combine(_group, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Cores = cores;
    }

    public double Cores { get; }

    public void Dispose()
    {
        File.WriteAllText(Path.Combine(Root, "cgroup.procs"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.Delete(_group);
    }
}
