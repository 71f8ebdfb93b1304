using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pipeline.Tests.Infrastructure.Servers;

/// <summary>
/// A loopback TCP proxy between a client and a real server that injects faults: it cuts connections after some bytes
/// of response (or of request body), stalls a response, delays every request, answers 503 SlowDown at random, or
/// swallows everything (a server that never answers). Settings may change while it runs.
/// </summary>
internal sealed class FaultProxy : IDisposable
{
    private static readonly byte[] s_slowDown = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nConnection: close\r\nContent-Length: 123\r\n\r\n"
        + "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".PadRight(123));

    private readonly TcpListener _listener;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly Random _random;
    private int _connections;
    private int _cuts;
    private int _slowDowns;
    private int _requests;
    private long _responseBytes;

    public FaultProxy(int targetPort, int seed = 1)
    {
        _targetPort = targetPort;
        _random = new Random(seed);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync();
    }

    public int Port { get; }

    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>Cut a connection after about this many response bytes (0.5x to 1.5x, at random); 0 = never.</summary>
    public long CutResponseAfterBytes { get; set; }

    /// <summary>Cut a connection after this many request bytes (client to server); 0 = never.</summary>
    public long CutRequestAfterBytes { get; set; }

    /// <summary>The probability that a request is answered 503 SlowDown instead of being forwarded.</summary>
    public double SlowDownProbability { get; set; }

    /// <summary>Delay added before every request is forwarded.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Stall each response once, after this many bytes, for <see cref="StallFor"/>; -1 = never.</summary>
    public long StallResponseAfterBytes { get; set; } = -1;

    public TimeSpan StallFor { get; set; }

    /// <summary>Accept connections but never forward or answer anything.</summary>
    public bool BlackHole { get; set; }

    public int Connections => Volatile.Read(ref _connections);

    public int Cuts => Volatile.Read(ref _cuts);

    public int SlowDowns => Volatile.Read(ref _slowDowns);

    /// <summary>Requests seen (the first bytes from the client after a response, or on a new connection).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Bytes forwarded from the server to clients.</summary>
    public long ResponseBytes => Interlocked.Read(ref _responseBytes);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private double NextDouble()
    {
        lock (_random) return _random.NextDouble();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        client.NoDelay = true;
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        try
        {
            if (BlackHole)
            {
                await Task.Delay(Timeout.Infinite, connection.Token);
                return;
            }

            await server.ConnectAsync(IPAddress.Loopback, _targetPort, connection.Token);
            var state = new ConnectionState();
            Task up = PumpRequestsAsync(client, server, state, connection);
            Task down = PumpResponsesAsync(server, client, state, connection);
            await Task.WhenAny(up, down);
            await connection.CancelAsync();
            await Task.WhenAll(up.ContinueWith(_ => { }, TaskScheduler.Default), down.ContinueWith(_ => { }, TaskScheduler.Default));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            Abort(client);
        }
    }

    private async Task PumpRequestsAsync(Socket from, Socket to, ConnectionState state, CancellationTokenSource connection)
    {
        byte[] buffer = new byte[64 << 10];
        long sent = 0;
        while (true)
        {
            int n = await from.ReceiveAsync(buffer, SocketFlags.None, connection.Token);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            if (Volatile.Read(ref state.AwaitingRequest))
            {
                // The first bytes after a response (or on a new connection) start a request.
                Volatile.Write(ref state.AwaitingRequest, false);
                Interlocked.Increment(ref _requests);
                if (Latency > TimeSpan.Zero) await Task.Delay(Latency, connection.Token);
                if (SlowDownProbability > 0 && NextDouble() < SlowDownProbability)
                {
                    Interlocked.Increment(ref _slowDowns);
                    await from.SendAsync(s_slowDown, SocketFlags.None, connection.Token);
                    from.Shutdown(SocketShutdown.Both);
                    return;
                }
            }

            long cut = CutRequestAfterBytes;
            if (cut > 0 && sent + n > cut)
            {
                await to.SendAsync(buffer.AsMemory(0, (int)(cut - sent)), SocketFlags.None, connection.Token);
                Interlocked.Increment(ref _cuts);
                Abort(to);
                Abort(from);
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, connection.Token);
            sent += n;
        }
    }

    private async Task PumpResponsesAsync(Socket from, Socket to, ConnectionState state, CancellationTokenSource connection)
    {
        byte[] buffer = new byte[64 << 10];
        long received = 0;
        long cutAt = CutResponseAfterBytes > 0 ? (long)(CutResponseAfterBytes * (0.5 + NextDouble())) : long.MaxValue;
        bool stalled = false;
        while (true)
        {
            int n = await from.ReceiveAsync(buffer, SocketFlags.None, connection.Token);
            if (n == 0)
            {
                to.Shutdown(SocketShutdown.Send);
                return;
            }

            Volatile.Write(ref state.AwaitingRequest, true);
            long stallAt = StallResponseAfterBytes;
            if (!stalled && stallAt >= 0 && received + n > stallAt)
            {
                stalled = true;
                await Task.Delay(StallFor, connection.Token);
            }

            if (received + n > cutAt)
            {
                await to.SendAsync(buffer.AsMemory(0, (int)(cutAt - received)), SocketFlags.None, connection.Token);
                Interlocked.Increment(ref _cuts);
                Abort(to);
                Abort(from);
                return;
            }

            await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, connection.Token);
            received += n;
            Interlocked.Add(ref _responseBytes, n);
        }
    }

    private static void Abort(Socket socket)
    {
        try
        {
            // A reset, not a clean close: the peer sees the connection die mid-body.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private sealed class ConnectionState
    {
        public bool AwaitingRequest = true;
    }
}
