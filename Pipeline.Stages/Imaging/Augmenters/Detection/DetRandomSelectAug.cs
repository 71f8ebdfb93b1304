using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Applies one augmenter picked at random from a list, or none with probability <see cref="SkipProb"/>, as MXNet's <c>DetRandomSelectAug</c>.</summary>
/// <remarks>MXNet shuffles its list in place and takes the first (so concurrent use races); this picks one uniformly without changing the list.</remarks>
public sealed class DetRandomSelectAug : DetAugmenter
{
    /// <summary>Initializes the augmenter.</summary>
    /// <param name="augList">The augmenters to choose from; an empty list always skips.</param>
    /// <param name="skipProb">The probability, 0 to 1, of applying none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="augList"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="skipProb"/> is outside [0, 1].</exception>
    public DetRandomSelectAug(IReadOnlyList<DetAugmenter> augList, double skipProb = 0)
    {
        ArgumentNullException.ThrowIfNull(augList);
        foreach (DetAugmenter aug in augList) ArgumentNullException.ThrowIfNull(aug, nameof(augList));
        if (skipProb is not (>= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(skipProb), skipProb, "The skip probability must be in [0, 1].");
        AugList = [.. augList];
        SkipProb = AugList.Count == 0 ? 1 : skipProb;
    }

    /// <summary>Gets the augmenters to choose from.</summary>
    public IReadOnlyList<DetAugmenter> AugList { get; }

    /// <summary>Gets the probability of applying none (1 for an empty list, as MXNet).</summary>
    public double SkipProb { get; }

    /// <inheritdoc />
    public override (NDArray Image, float[,] Label) Apply(NDArray src, float[,] label, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (rng.NextDouble() < SkipProb) return (src, label);
        return AugList[rng.Next(AugList.Count)].Apply(src, label, rng);
    }

    /// <inheritdoc />
    public override string ToString() => $"{base.ToString()}([{string.Join(", ", AugList)}])";
}
