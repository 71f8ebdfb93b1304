using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Docs;

/// <summary>The README's C# compiles as pasted into a new console app, and runs: each example creates what it reads.</summary>
public sealed class ReadmeTests
{
    private static readonly string s_readme = Path.Combine(AppContext.BaseDirectory, "TestData", "README.md");

    // What a console app that references the MxDataIO package has: Core, Stages and their dependencies.
    private static readonly string[] s_libraries =
        [.. new[] { "Pipeline.Core", "Pipeline.Stages", "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.DependencyInjection.Abstractions", "SixLabors.ImageSharp", "System.Numerics.Tensors" }
            .Select(n => Path.Combine(AppContext.BaseDirectory, n + ".dll")).Where(File.Exists)];

    [Fact]
    public void Readme_HasTheBlocksTheTestExpects()
    {
        IReadOnlyList<(string Tag, string Code, int Line)> blocks = ReadmeBlocks.Read(s_readme);
        Assert.True(blocks.Count(b => b.Tag == string.Empty) >= 3, "the README lost its runnable C# blocks");
        Assert.All(blocks, b => Assert.Contains(b.Tag, (string[])["", "compile-only", "torchsharp"]));
    }

    [Fact]
    public async Task EveryCSharpBlock_CompilesAndRunsInOrder()
    {
        using var dir = new TempDirectory();
        foreach (string library in s_libraries) File.Copy(library, dir.File(Path.GetFileName(library)));
        var failures = new List<string>();
        foreach ((string tag, string code, int line) in ReadmeBlocks.Read(s_readme))
        {
            if (tag == "torchsharp") continue;
            string name = $"readme_line{line}";
            IReadOnlyList<string> errors = ReadmeBlocks.Compile(code, name, dir.Path, s_libraries);
            if (errors.Count > 0)
            {
                failures.Add($"README.md line {line} does not compile:\n  {string.Join("\n  ", errors)}");
                continue;
            }

            if (tag == "compile-only") continue;
            (int exit, string output) = await ReadmeBlocks.RunAsync(name, dir.Path, TimeSpan.FromSeconds(90));
            if (exit != 0) failures.Add($"README.md line {line} exited with {exit}:\n{output}");
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }
}
