using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Converts the image to float32, as MXNet's <c>CastAug</c> (the only target type MXNet's pipelines use).</summary>
public sealed class CastAug : Augmenter
{
    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng) => EnsureFloat32(src);
}
