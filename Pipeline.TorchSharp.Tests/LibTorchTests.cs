using TorchSharp;

namespace Pipeline.TorchSharp.Tests;

/// <summary>libtorch itself: if it does not load, this says why (every other test here fails too; none skips).</summary>
public sealed class LibTorchTests
{
    [Fact]
    public void LibTorch_Loads()
    {
        try
        {
            using torch.Tensor ones = torch.ones(2, 3);
            Assert.Equal(6f, ones.sum().item<float>());
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            Assert.Fail(
                "libtorch did not load. On Debian 12 (libstdc++ up to GLIBCXX_3.4.30) the build step in " +
                "Pipeline.TorchSharp/build/Pipeline.TorchSharp.targets must have copied a libLibTorchSharp.so whose " +
                $"GLIBCXX_3.4.32 requirement is weak into runtimes/linux-x64/native/ of the test output. {e}");
        }
    }
}
