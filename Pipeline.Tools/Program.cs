using Spectre.Console;

namespace Pipeline.Tools;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var signals = new TerminationSignals();
        IAnsiConsole console = Console.IsOutputRedirected ? ToolCommands.PlainConsole(Console.Out) : AnsiConsole.Console;
        int code = await ToolCommands.RunAsync(args, console, signals.Token).ConfigureAwait(false);

        // A command stopped by a signal exits as the shell reports a process killed by it: 130 for Ctrl+C, 143 for SIGTERM.
        return signals.ExitCode ?? code;
    }
}
