namespace Sgl.Runtime.Models;

/// <summary>
/// xorshift64* (Vigna, 2016). The weights must be identical on every machine and .NET version, so they
/// come from this fixed algorithm rather than <see cref="Random"/>, whose sequence is not a compatibility promise.
/// </summary>
internal struct XorShiftRandom
{
    private ulong _state;

    public XorShiftRandom(ulong seed)
    {
        // A zero state would stay zero forever.
        _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    }

    public ulong NextUInt64()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545F4914F6CDD1DUL;
    }

    /// <summary>A float in [-1, 1) from the top 24 bits, exactly representable.</summary>
    public float NextSigned() => (NextUInt64() >> 40) * (2f / (1 << 24)) - 1f;
}
