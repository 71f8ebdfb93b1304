using System.Runtime.InteropServices;

namespace Pipeline.Tools;

/// <summary>Turns Ctrl+C (SIGINT) and SIGTERM into a cancellation the commands honour, and remembers which arrived for the exit code (130 or 143, the shell's 128 + signal).</summary>
internal sealed class TerminationSignals : IDisposable
{
    private static readonly TimeSpan s_gracePeriod = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _exitCode;

    public TerminationSignals()
    {
        Register(PosixSignal.SIGINT, 130);
        Register(PosixSignal.SIGTERM, 143);
    }

    /// <summary>Gets the token cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>Gets 130 after SIGINT, 143 after SIGTERM, <see langword="null"/> when no signal arrived.</summary>
    public int? ExitCode => Volatile.Read(ref _exitCode) is var code and not 0 ? code : null;

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations) registration.Dispose();
        _cancel.Dispose();
    }

    private void Register(PosixSignal signal, int exitCode)
    {
        try
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // A second signal ends the process the default way.
                if (Interlocked.CompareExchange(ref _exitCode, exitCode, 0) != 0) return;

                // The command stops itself (removing its temporary files) instead of the runtime ending the process. A command
                // that does not watch the token (the quick rec commands) is ended after a grace period, as it would have been.
                context.Cancel = true;
                _cancel.Cancel();
                _ = Task.Delay(s_gracePeriod).ContinueWith(_ => Environment.Exit(exitCode), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }));
        }
        catch (PlatformNotSupportedException)
        {
            // This platform has no such signal: nothing to honour.
        }
    }
}
