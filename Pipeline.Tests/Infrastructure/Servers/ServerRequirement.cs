namespace Pipeline.Tests.Infrastructure.Servers;

/// <summary>
/// The gate for tests that need a real server (s3rver, nginx, boto3): they skip on a developer machine that lacks it,
/// naming what to install, but never on CI (<c>CI=true</c>), where <c>.ci/run</c> installs them and a missing one fails.
/// </summary>
internal static class ServerRequirement
{
    private static readonly Lazy<string?> s_repositoryRoot = new(() =>
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Pipeline.sln"))) return dir.FullName;
        }

        return null;
    });

    public static string? RepositoryRoot => s_repositoryRoot.Value;

    public static string? S3rverScript => RepositoryRoot is { } root && File.Exists(Path.Combine(root, "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js"))
        ? Path.Combine(root, "tools", "s3rver", "node_modules", "s3rver", "bin", "s3rver.js")
        : null;

    public static string? Node => FindOnPath("node");

    public static string? Nginx => File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : FindOnPath("nginx");

    public static bool Boto3 => File.Exists("/usr/bin/python3") && Directory.Exists("/usr/lib/python3/dist-packages/boto3");

    public static string? S3SkipReason => (S3rverScript is not null && Node is not null) || NativeCodecs.OnCi
        ? null
        : "s3rver is not installed (needs node and `npm ci` in tools/s3rver); on CI (CI=true) this test fails instead.";

    public static string? NginxSkipReason => Nginx is not null || NativeCodecs.OnCi
        ? null
        : "nginx is not installed (apt-get install nginx-light); on CI (CI=true) this test fails instead.";

    public static string? Boto3SkipReason => S3SkipReason ?? (Boto3 || NativeCodecs.OnCi ? null : "python3-boto3 is not installed (apt-get install python3-boto3); on CI (CI=true) this test fails instead.");

    public static int FreePort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Starts a server process with its output drained and waits until it listens on 127.0.0.1:<paramref name="port"/>; a server that never does is killed, never left behind.</summary>
    /// <exception cref="InvalidOperationException">The process exited first (for instance, it lost the port to another process).</exception>
    /// <exception cref="TimeoutException">It did not listen within <paramref name="timeout"/>.</exception>
    public static System.Diagnostics.Process StartListening(System.Diagnostics.ProcessStartInfo info, int port, string what, TimeSpan timeout)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        System.Diagnostics.Process process = System.Diagnostics.Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            WaitForPortAsync(port, process, what, timeout).GetAwaiter().GetResult();
            return process;
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public static async Task WaitForPortAsync(int port, System.Diagnostics.Process process, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"{what} exited with code {process.ExitCode} before it listened on 127.0.0.1:{port}.");
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{what} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds} s.");
    }

    private static string? FindOnPath(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, name);
            if (dir.Length > 0 && File.Exists(candidate)) return candidate;
        }

        return null;
    }
}

/// <summary>A fact that needs s3rver (see <see cref="ServerRequirement"/>).</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute() => Skip = ServerRequirement.S3SkipReason;
}

/// <summary>A theory that needs s3rver (see <see cref="ServerRequirement"/>).</summary>
public sealed class S3TheoryAttribute : TheoryAttribute
{
    public S3TheoryAttribute() => Skip = ServerRequirement.S3SkipReason;
}

/// <summary>A fact that needs nginx (see <see cref="ServerRequirement"/>).</summary>
public sealed class NginxFactAttribute : FactAttribute
{
    public NginxFactAttribute() => Skip = ServerRequirement.NginxSkipReason;
}

/// <summary>A theory that needs nginx (see <see cref="ServerRequirement"/>).</summary>
public sealed class NginxTheoryAttribute : TheoryAttribute
{
    public NginxTheoryAttribute() => Skip = ServerRequirement.NginxSkipReason;
}

/// <summary>A fact that needs s3rver and python3-boto3 (see <see cref="ServerRequirement"/>).</summary>
public sealed class Boto3FactAttribute : FactAttribute
{
    public Boto3FactAttribute() => Skip = ServerRequirement.Boto3SkipReason;
}
