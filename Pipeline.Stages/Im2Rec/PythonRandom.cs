namespace Pipeline.Stages.Im2Rec;

/// <summary>Python's <c>random</c> module for integer seeds and <c>shuffle</c>: MT19937 seeded by <c>init_by_array</c>, so shuffled lists match <c>im2rec.py</c>'s byte for byte.</summary>
internal sealed class PythonRandom
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index;

    public PythonRandom(long seed)
    {
        // random.seed(int) uses the absolute value's 32-bit words, least significant first.
        ulong value = (ulong)Math.Abs(seed);
        var key = new List<uint>();
        do
        {
            key.Add((uint)value);
            value >>= 32;
        }
        while (value != 0);
        InitByArray([.. key]);
    }

    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        uint y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680;
        y ^= (y << 15) & 0xEFC60000;
        y ^= y >> 18;
        return y;
    }

    /// <summary>Python's <c>_randbelow</c>: getrandbits(n.bit_length()) with rejection.</summary>
    public int Below(int n)
    {
        int bits = 32 - (int)uint.LeadingZeroCount((uint)n);
        while (true)
        {
            uint r = NextUInt32() >> (32 - bits);
            if (r < n) return (int)r;
        }
    }

    /// <summary>Python's <c>random.shuffle</c>.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Below(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private void InitGenrand(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++) _mt[i] = (1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30))) + (uint)i;
        _index = N;
    }

    private void InitByArray(uint[] key)
    {
        InitGenrand(19650218u);
        int i = 1, j = 0;
        for (int k = Math.Max(N, key.Length); k > 0; k--)
        {
            _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint)j;
            i++;
            j++;
            if (i >= N)
            {
                _mt[0] = _mt[N - 1];
                i = 1;
            }

            if (j >= key.Length) j = 0;
        }

        for (int k = N - 1; k > 0; k--)
        {
            _mt[i] = (_mt[i] ^ ((_mt[i - 1] ^ (_mt[i - 1] >> 30)) * 1566083941u)) - (uint)i;
            i++;
            if (i >= N)
            {
                _mt[0] = _mt[N - 1];
                i = 1;
            }
        }

        _mt[0] = 0x80000000u;
    }

    private void Twist()
    {
        for (int k = 0; k < N; k++)
        {
            uint y = (_mt[k] & 0x80000000u) | (_mt[(k + 1) % N] & 0x7FFFFFFFu);
            _mt[k] = _mt[(k + M) % N] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908B0DFu : 0u);
        }

        _index = 0;
    }
}
