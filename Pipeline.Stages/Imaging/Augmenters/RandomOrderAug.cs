using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Applies augmenters in a random order, as MXNet's <c>RandomOrderAug</c>.</summary>
/// <remarks>MXNet shuffles its list in place, so the order carries over between calls; here each call draws its order from its own generator, so the result depends on the sample alone.</remarks>
public class RandomOrderAug : Augmenter
{
    /// <summary>Initializes the augmenter.</summary>
    /// <param name="augmenters">The augmenters to apply, in a random order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="augmenters"/> is null.</exception>
    public RandomOrderAug(IReadOnlyList<Augmenter> augmenters)
    {
        ArgumentNullException.ThrowIfNull(augmenters);
        Augmenters = [.. augmenters];
    }

    /// <summary>Gets the augmenters.</summary>
    public IReadOnlyList<Augmenter> Augmenters { get; }

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Span<int> order = stackalloc int[Augmenters.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        rng.Shuffle(order);
        foreach (int i in order) src = Augmenters[i].Apply(src, rng);
        return src;
    }
}
