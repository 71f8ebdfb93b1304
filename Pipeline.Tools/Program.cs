using Spectre.Console;

namespace Pipeline.Tools;

internal static class Program
{
    private static Task<int> Main(string[] args) => ToolCommands.RunAsync(args, AnsiConsole.Console);
}
