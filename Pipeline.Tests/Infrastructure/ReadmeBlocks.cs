using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Pipeline.Tests.Infrastructure;

/// <summary>Compiles the README's C# blocks as a user would paste them into a new console app (top-level statements, implicit usings) and runs them.</summary>
/// <remarks>A block is fenced <c>```csharp</c> (compiled and run), <c>```csharp compile-only</c> (needs a service the machine does not have) or
/// <c>```csharp torchsharp</c> (needs TorchSharp: <c>Pipeline.TorchSharp.Tests</c> runs it). Blocks run in README order in one
/// temporary folder, each in its own process, so a later block may read what an earlier one wrote.</remarks>
internal static partial class ReadmeBlocks
{
    private const string ImplicitUsings = "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;";

    public static IReadOnlyList<(string Tag, string Code, int Line)> Read(string readmePath)
    {
        string text = File.ReadAllText(readmePath).ReplaceLineEndings("\n");
        var blocks = new List<(string, string, int)>();
        foreach (Match match in Fence().Matches(text))
        {
            int line = text.AsSpan(0, match.Index).Count('\n') + 1;
            blocks.Add((match.Groups["tag"].Value, match.Groups["code"].Value, line));
        }

        return blocks;
    }

    /// <summary>Compiles a block; returns the errors (empty when it compiled) and writes the program into <paramref name="folder"/>.</summary>
    public static IReadOnlyList<string> Compile(string code, string name, string folder, IEnumerable<string> libraries)
    {
        byte[]? assembly = Emit(code, name, libraries, out IReadOnlyList<string> errors);
        if (assembly is null) return errors;
        File.WriteAllBytes(Path.Combine(folder, name + ".dll"), assembly);
        File.WriteAllText(
            Path.Combine(folder, name + ".runtimeconfig.json"),
            $$"""{ "runtimeOptions": { "tfm": "net10.0", "framework": { "name": "Microsoft.NETCore.App", "version": "{{Environment.Version.ToString(3)}}" } } }""");
        return [];
    }

    /// <summary>Compiles a block into an assembly; null with the errors when it does not compile.</summary>
    public static byte[]? Emit(string code, string name, IEnumerable<string> libraries, out IReadOnlyList<string> errors)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        string[] platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var references = platform.Concat(libraries).Select(p => MetadataReference.CreateFromFile(p)).ToList();
        CSharpCompilation compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(code, parse, path: name + ".cs"), CSharpSyntaxTree.ParseText(ImplicitUsings, parse)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var assembly = new MemoryStream();
        var result = compilation.Emit(assembly);
        errors = [.. result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())];
        return errors.Count > 0 ? null : assembly.ToArray();
    }

    /// <summary>Runs a compiled block with the folder as its working directory.</summary>
    public static async Task<(int Code, string Output)> RunAsync(string name, string folder, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(folder, name + ".dll"));
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"README block {name} ran longer than {timeout}.");
        }

        return (process.ExitCode, await output + await error);
    }

    [GeneratedRegex(@"^```csharp(?: (?<tag>[\w-]+))?\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();
}
