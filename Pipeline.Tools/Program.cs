using Spectre.Console;

namespace Pipeline.Tools;

internal static class Program
{
    private static Task<int> Main(string[] args) => ToolCommands.RunAsync(args, Console.IsOutputRedirected ? ToolCommands.PlainConsole(Console.Out) : AnsiConsole.Console);
}
