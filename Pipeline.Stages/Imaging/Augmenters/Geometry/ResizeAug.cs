using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Resizes so the shorter side equals <see cref="Size"/>, as MXNet's <c>ResizeAug</c>.</summary>
/// <param name="size">The new length of the shorter side.</param>
/// <param name="interp">An interpolation code (0-4, 9 auto, 10 random).</param>
public sealed class ResizeAug(int size, int interp = 2) : Augmenter
{
    /// <summary>Gets the new length of the shorter side.</summary>
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be positive.");

    /// <summary>Gets the interpolation code.</summary>
    public int Interp { get; } = CheckInterp(interp);

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng) => Replace(src, s => ImageOps.ResizeShort(s, Size, Interp, rng));

    internal static int CheckInterp(int interp) =>
        interp is (>= 0 and <= 4) or 9 or 10 ? interp : throw new ArgumentOutOfRangeException(nameof(interp), interp, "Interpolation codes are 0-4, 9 (auto) and 10 (random).");
}
