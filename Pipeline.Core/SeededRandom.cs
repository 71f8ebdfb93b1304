namespace Pipeline.Core;

/// <summary>A <see cref="Random"/> whose sequence is fixed by its seed on every machine and .NET version (xoshiro256**).</summary>
/// <remarks>
/// <see cref="Random"/>'s seeded algorithm is an implementation detail of .NET; this one is not. Pipelines derive one
/// per (seed, epoch) for shuffling and one per (seed, epoch, sample ordinal) for augmentation, so results are a pure
/// function of those numbers whatever the thread count or timing (decision 3 in docs/architecture.md).
/// </remarks>
public sealed class SeededRandom : Random
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Initializes a generator from a 64-bit seed.</summary>
    /// <param name="seed">The seed.</param>
    public SeededRandom(long seed)
    {
        ulong state = (ulong)seed;
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    /// <summary>Creates the generator for one stream of a seeded pipeline, such as (seed, epoch) or (seed, epoch, ordinal).</summary>
    /// <param name="seed">The pipeline's seed.</param>
    /// <param name="keys">The stream's coordinates, for example the epoch and the sample ordinal.</param>
    /// <returns>A generator independent of every other stream's.</returns>
    public static SeededRandom For(long seed, params ReadOnlySpan<long> keys)
    {
        ulong state = (ulong)seed;
        ulong mixed = SplitMix(ref state);
        foreach (long key in keys)
        {
            state = mixed ^ ((ulong)key * 0xD1B54A32D192ED03UL);
            mixed = SplitMix(ref state);
        }

        return new SeededRandom((long)mixed);
    }

    /// <inheritdoc />
    public override int Next() => (int)NextBounded(int.MaxValue);

    /// <inheritdoc />
    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)NextBounded((ulong)maxValue);
    }

    /// <inheritdoc />
    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)(minValue + (long)NextBounded((ulong)((long)maxValue - minValue)));
    }

    /// <inheritdoc />
    public override long NextInt64() => (long)NextBounded(long.MaxValue);

    /// <inheritdoc />
    public override long NextInt64(long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (long)NextBounded((ulong)maxValue);
    }

    /// <inheritdoc />
    public override long NextInt64(long minValue, long maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return minValue + (long)NextBounded((ulong)(maxValue - minValue));
    }

    /// <inheritdoc />
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <inheritdoc />
    public override float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1U << 24));

    /// <inheritdoc />
    public override void NextBytes(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        NextBytes(buffer.AsSpan());
    }

    /// <inheritdoc />
    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(NextUInt64() >> 56);
    }

    /// <inheritdoc />
    protected override double Sample() => NextDouble();

    /// <summary>Returns the next raw 64-bit output.</summary>
    /// <returns>A uniformly distributed 64-bit value.</returns>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // Lemire's nearly-divisionless method: unbiased values in [0, bound).
    private ulong NextBounded(ulong bound)
    {
        if (bound <= 1) return 0;
        ulong threshold = (0 - bound) % bound;
        while (true)
        {
            ulong high = Math.BigMul(NextUInt64(), bound, out ulong low);
            if (low >= threshold) return high;
        }
    }
}
