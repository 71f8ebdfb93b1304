using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Applies augmenters one after another, as MXNet's <c>SequentialAug</c>.</summary>
public sealed class SequentialAug : Augmenter
{
    /// <summary>Initializes the sequence.</summary>
    /// <param name="augmenters">The augmenters, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="augmenters"/> is null.</exception>
    public SequentialAug(IReadOnlyList<Augmenter> augmenters)
    {
        ArgumentNullException.ThrowIfNull(augmenters);
        Augmenters = [.. augmenters];
    }

    /// <summary>Gets the augmenters, in order.</summary>
    public IReadOnlyList<Augmenter> Augmenters { get; }

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        foreach (Augmenter augmenter in Augmenters) src = augmenter.Apply(src, rng);
        return src;
    }
}
