using Pipeline.Core;

namespace Pipeline.Stages.Imaging;

/// <summary>AlexNet-style PCA lighting noise: adds <c>eigvec * (alpha .* eigval)</c> to every pixel, <c>alpha ~ N(0, alphastd)</c>, as MXNet's <c>LightingAug</c>.</summary>
public sealed class LightingAug : Augmenter
{
    private readonly float[,] _eigvec;

    /// <summary>Initializes the augmenter.</summary>
    /// <param name="alphaStd">The standard deviation of the component weights.</param>
    /// <param name="eigval">The 3 eigenvalues.</param>
    /// <param name="eigvec">The 3x3 eigenvectors, row i = channel (R, G, B), column j = component.</param>
    /// <exception cref="ArgumentException">The eigenvalues or eigenvectors have the wrong size.</exception>
    public LightingAug(float alphaStd, float[] eigval, float[,] eigvec)
    {
        ArgumentNullException.ThrowIfNull(eigval);
        ArgumentNullException.ThrowIfNull(eigvec);
        if (eigval.Length != 3 || eigvec.GetLength(0) != 3 || eigvec.GetLength(1) != 3) throw new ArgumentException("LightingAug needs 3 eigenvalues and 3x3 eigenvectors.", nameof(eigvec));
        ArgumentOutOfRangeException.ThrowIfNegative(alphaStd);
        AlphaStd = alphaStd;
        Eigval = [.. eigval];
        _eigvec = (float[,])eigvec.Clone();
    }

    /// <summary>Gets the standard deviation of the component weights.</summary>
    public float AlphaStd { get; }

    /// <summary>Gets the eigenvalues.</summary>
    public IReadOnlyList<float> Eigval { get; }

    /// <summary>Gets a copy of the eigenvectors.</summary>
    public float[,] Eigvec => (float[,])_eigvec.Clone();

    /// <inheritdoc />
    public override NDArray Apply(NDArray src, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Span<float> alpha = [Normal(rng), Normal(rng), Normal(rng)];
        Span<float> offset = stackalloc float[3];
        Offset(alpha, offset);
        NDArray image = EnsureFloat32(src);
        ColorMath.RequireRgb(image, nameof(LightingAug));
        Span<float> v = image.AsSpan<float>();
        for (int i = 0; i < v.Length; i += 3)
        {
            v[i] += offset[0];
            v[i + 1] += offset[1];
            v[i + 2] += offset[2];
        }

        return image;
    }

    /// <summary>Computes the per-channel offset for given component weights: <c>rgb[i] = sum_j eigvec[i, j] * alpha[j] * eigval[j]</c>.</summary>
    /// <param name="alpha">The 3 component weights.</param>
    /// <param name="rgb">Receives the 3 channel offsets.</param>
    public void Offset(ReadOnlySpan<float> alpha, Span<float> rgb)
    {
        for (int i = 0; i < 3; i++)
        {
            float sum = 0;
            for (int j = 0; j < 3; j++) sum += _eigvec[i, j] * alpha[j] * Eigval[j];
            rgb[i] = sum;
        }
    }

    private float Normal(Random rng)
    {
        // Box-Muller: two uniforms per normal draw, so the draw count is fixed.
        double u1 = 1.0 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return (float)(AlphaStd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }
}
