using System.Reflection;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.TorchSharp.Tests;

/// <summary>The README's TorchSharp block (<c>```csharp torchsharp</c>) compiles as pasted and trains an epoch; Pipeline.Tests runs the other blocks.</summary>
public sealed class ReadmeTorchSharpTests
{
    [Fact]
    public async Task TorchSharpBlock_CompilesAndRuns()
    {
        (string _, string code, int line) = Assert.Single(ReadmeBlocks.Read(Path.Combine(AppContext.BaseDirectory, "TestData", "README.md")), b => b.Tag == "torchsharp");

        // The block's paths are relative to the repository root, where a reader runs it; here the data sits next to the tests.
        string data = Path.Combine(AppContext.BaseDirectory, "data").Replace('\\', '/');
        code = code.Replace("\"data/", "\"" + data + "/", StringComparison.Ordinal);
        string[] libraries =
            [.. new[] { "Pipeline.Core", "Pipeline.Stages", "Pipeline.TorchSharp", "TorchSharp", "Microsoft.Extensions.Logging.Abstractions", "System.Numerics.Tensors" }
                .Select(n => Path.Combine(AppContext.BaseDirectory, n + ".dll")).Where(File.Exists)];
        byte[]? image = ReadmeBlocks.Emit(code, $"readme_line{line}", libraries, out IReadOnlyList<string> errors);
        Assert.True(image is not null, $"README.md line {line} does not compile:\n  {string.Join("\n  ", errors)}");

        // In this process: libtorch is already found and loaded here, which a child process without a deps file would not do.
        MethodInfo main = Assembly.Load(image).EntryPoint!;
        await Task.Run(() => main.Invoke(null, main.GetParameters().Length == 0 ? null : [Array.Empty<string>()]));
    }
}
