using Pipeline.Tools;
using Spectre.Console;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Runs the command line in process with a plain console and returns its exit code and output.</summary>
internal static class ToolRunner
{
    public static async Task<(int Code, string Text)> RunAsync(params string[] args)
    {
        using var writer = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, Interactive = InteractionSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = 400;
        int code = await ToolCommands.RunAsync(args, console);
        return (code, writer.ToString());
    }
}
