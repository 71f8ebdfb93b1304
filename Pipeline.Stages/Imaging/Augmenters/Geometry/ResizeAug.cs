using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Resizes so the shorter side equals <see cref="Size"/>, as MXNet's <c>ResizeAug</c>.</summary>
/// <param name="size">The new length of the shorter side.</param>
/// <param name="interp">The interpolation (any <see cref="Interpolation"/>; <see cref="Interpolation.Auto"/> and <see cref="Interpolation.Random"/> are resolved per image).</param>
public sealed class ResizeAug(int size, Interpolation interp = Interpolation.Bicubic) : Augmenter
{
    /// <summary>Gets the new length of the shorter side.</summary>
    public int Size { get; } = size > 0 ? size : throw new ArgumentOutOfRangeException(nameof(size), size, "The size must be positive.");

    /// <summary>Gets the interpolation.</summary>
    public Interpolation Interp { get; } = CheckInterp(interp);

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng) => Replace(src, s => ImageOps.ResizeShort(s, Size, Interp, rng));

    internal static Interpolation CheckInterp(Interpolation interp) =>
        interp is (>= Interpolation.Nearest and <= Interpolation.Lanczos4) or Interpolation.Auto or Interpolation.Random
            ? interp
            : throw new ArgumentOutOfRangeException(nameof(interp), interp, "Interpolation codes are 0-4, 9 (auto) and 10 (random).");
}
