using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pipeline.Benchmarks.Peers;

namespace Pipeline.Benchmarks.Storage;

/// <summary>The servers of the storage benchmark, on free 127.0.0.1 ports: nginx from tools/nginx's template and s3rver from tools/s3rver (after <c>npm ci</c>).</summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly Process _process;

    private LoopbackServer(Process process, int port, string root)
    {
        _process = process;
        Port = port;
        Root = root;
    }

    public int Port { get; }

    /// <summary>The folder nginx serves, or s3rver's data folder.</summary>
    public string Root { get; }

    public static LoopbackServer Nginx(string work)
    {
        string template = File.ReadAllText(PeerProcess.FindTool(Path.Combine("nginx", "nginx.conf.template")) ?? throw new InvalidOperationException("tools/nginx/nginx.conf.template not found."));
        string prefix = Path.Combine(work, "nginx");
        string root = Path.Combine(prefix, "root");
        Directory.CreateDirectory(root);
        int port = FreePort();
        string conf = Path.Combine(prefix, "nginx.conf");
        File.WriteAllText(conf, template.Replace("@PREFIX@", prefix, StringComparison.Ordinal).Replace("@ROOT@", root, StringComparison.Ordinal).Replace("@PORT@", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return Start(File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx", ["-p", prefix, "-c", conf, "-e", Path.Combine(prefix, "error.log")], port, root);
    }

    public static LoopbackServer S3rver(string work, string bucket)
    {
        string script = PeerProcess.FindTool(Path.Combine("s3rver", "node_modules", "s3rver", "bin", "s3rver.js")) ?? throw new InvalidOperationException("s3rver is not installed: run `npm ci` in tools/s3rver.");
        string data = Path.Combine(work, "s3rver");
        Directory.CreateDirectory(data);
        int port = FreePort();
        return Start("node", [script, "-d", data, "-a", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "--silent", "--configure-bucket", bucket], port, data);
    }

    /// <summary>s3rver on the data folder of <paramref name="near"/>, answering every request <paramref name="delay"/> late (tools/s3rver/far.js): a store that far away, without a proxy copying bodies on this machine's cores.</summary>
    public static LoopbackServer S3rverFar(LoopbackServer near, string bucket, TimeSpan delay)
    {
        string script = PeerProcess.FindTool(Path.Combine("s3rver", "far.js")) ?? throw new InvalidOperationException("tools/s3rver/far.js not found.");
        int port = FreePort();
        return Start("node", [script, near.Root, port.ToString(CultureInfo.InvariantCulture), ((int)delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture), bucket], port, near.Root);
    }

    /// <summary>Gets the CPU time the server process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private static LoopbackServer Start(string program, string[] arguments, int port, string root)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) info.ArgumentList.Add(argument);
        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited) throw new InvalidOperationException($"{program} exited with code {process.ExitCode}.");
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return new LoopbackServer(process, port, root);
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{program} did not listen on 127.0.0.1:{port}.");
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>
/// A loopback TCP proxy that delays every request (the first client bytes after a response) by a fixed latency (a
/// far-away store), and optionally cuts connections after about <c>cutAfterBytes</c> of response and answers a share of
/// requests 503 SlowDown (a flaky one).
/// </summary>
internal sealed class LatencyProxy : IDisposable
{
    private const string SlowDownBody = "<Error><Code>SlowDown</Code><Message>Reduce rate.</Message></Error>";
    private static readonly byte[] s_slowDown = System.Text.Encoding.ASCII.GetBytes(
        $"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nConnection: close\r\nContent-Length: {SlowDownBody.Length}\r\n\r\n{SlowDownBody}");

    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly TimeSpan _latency;
    private readonly long _cutAfterBytes;
    private readonly double _slowDownShare;
    private readonly Random _random = new(12);
    private readonly CancellationTokenSource _stop = new();
    private int _cuts;
    private int _slowDowns;

    public LatencyProxy(int target, TimeSpan latency, long cutAfterBytes = 0, double slowDownShare = 0)
    {
        _target = target;
        _latency = latency;
        _cutAfterBytes = cutAfterBytes;
        _slowDownShare = slowDownShare;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    public int Cuts => Volatile.Read(ref _cuts);

    public int SlowDowns => Volatile.Read(ref _slowDowns);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        using (var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            client.NoDelay = true;
            server.NoDelay = true;
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _target).ConfigureAwait(false);
                int awaitingRequest = 1;
                Task up = PumpAsync(client, server, delay: true);
                Task down = PumpAsync(server, client, delay: false);
                await Task.WhenAny(up, down).ConfigureAwait(false);
                client.Close();
                server.Close();

                async Task PumpAsync(Socket from, Socket to, bool delay)
                {
                    byte[] buffer = new byte[1 << 17];
                    long sent = 0;
                    long cutAt = long.MaxValue;
                    if (!delay && _cutAfterBytes > 0)
                    {
                        lock (_random) cutAt = (long)(_cutAfterBytes * (0.5 + _random.NextDouble()));
                    }

                    while (true)
                    {
                        int n = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                        if (n == 0) return;
                        if (delay && Interlocked.Exchange(ref awaitingRequest, 0) == 1)
                        {
                            if (_latency > TimeSpan.Zero) await Task.Delay(_latency).ConfigureAwait(false);
                            bool slowDown;
                            lock (_random) slowDown = _slowDownShare > 0 && _random.NextDouble() < _slowDownShare;
                            if (slowDown)
                            {
                                Interlocked.Increment(ref _slowDowns);
                                await from.SendAsync(s_slowDown, SocketFlags.None).ConfigureAwait(false);
                                return;
                            }
                        }

                        if (!delay) Volatile.Write(ref awaitingRequest, 1);
                        if (sent + n > cutAt)
                        {
                            // A reset in the middle of the body.
                            await to.SendAsync(buffer.AsMemory(0, (int)(cutAt - sent)), SocketFlags.None).ConfigureAwait(false);
                            Interlocked.Increment(ref _cuts);
                            to.LingerState = new LingerOption(true, 0);
                            return;
                        }

                        await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None).ConfigureAwait(false);
                        sent += n;
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
            {
            }
        }
    }
}
