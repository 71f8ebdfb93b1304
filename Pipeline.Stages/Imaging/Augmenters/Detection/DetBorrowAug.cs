using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Uses a classification <see cref="Augmenter"/> whose change does not move boxes (colour, cast, normalize, a resize of the whole image), as MXNet's <c>DetBorrowAug</c>.</summary>
/// <remarks>Boxes are normalized, so a resize of the whole image leaves them where they are; a crop does not, and must not be borrowed.</remarks>
public sealed class DetBorrowAug : DetAugmenter
{
    /// <summary>Initializes the augmenter.</summary>
    /// <param name="augmenter">The borrowed augmenter.</param>
    /// <exception cref="ArgumentNullException"><paramref name="augmenter"/> is null.</exception>
    public DetBorrowAug(Augmenter augmenter)
    {
        ArgumentNullException.ThrowIfNull(augmenter);
        Augmenter = augmenter;
    }

    /// <summary>Gets the borrowed augmenter.</summary>
    public Augmenter Augmenter { get; }

    /// <inheritdoc />
    public override (NDArray Image, float[,] Label) Apply(NDArray src, float[,] label, Random rng) => (Augmenter.Apply(src, rng), label);

    /// <inheritdoc />
    public override string ToString() => $"{base.ToString()}({Augmenter})";
}
