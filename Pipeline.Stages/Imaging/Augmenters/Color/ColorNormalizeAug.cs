using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>Subtracts a per-channel mean and divides by a per-channel standard deviation, as MXNet's <c>ColorNormalizeAug</c>.</summary>
public sealed class ColorNormalizeAug : Augmenter
{
    /// <summary>Initializes the augmenter.</summary>
    /// <param name="mean">The per-channel mean (1 or 3 values), or <see langword="null"/>.</param>
    /// <param name="std">The per-channel standard deviation (1 or 3 values), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">A vector has neither 1 nor 3 values.</exception>
    public ColorNormalizeAug(float[]? mean, float[]? std)
    {
        if (mean is not null && mean.Length is not (1 or 3)) throw new ArgumentException($"mean has {mean.Length} values; give 1 or 3.", nameof(mean));
        if (std is not null && std.Length is not (1 or 3)) throw new ArgumentException($"std has {std.Length} values; give 1 or 3.", nameof(std));
        Mean = mean is null ? null : [.. mean];
        Std = std is null ? null : [.. std];
    }

    /// <summary>Gets the per-channel mean, or <see langword="null"/>.</summary>
    public IReadOnlyList<float>? Mean { get; }

    /// <summary>Gets the per-channel standard deviation, or <see langword="null"/>.</summary>
    public IReadOnlyList<float>? Std { get; }

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        NDArray image = EnsureFloat32(src);
        return ImageOps.ColorNormalize(image, Mean is null ? [0f] : [.. Mean], Std is null ? null : [.. Std]);
    }
}
