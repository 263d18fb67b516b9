namespace Sgl.Diffusion.Denoiser;

/// <summary>
/// SplitMix64 with Box-Muller normals. A fixed algorithm rather than <see cref="Random"/>, so the same seed
/// gives the same image on every machine and .NET version.
/// </summary>
internal struct SeededNoise
{
    private ulong _state;

    public SeededNoise(ulong seed) => _state = seed;

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in (0, 1], never 0 so the logarithm below is finite.</summary>
    public double NextUnit() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [-1, 1).</summary>
    public float NextSigned() => (float)(NextUnit() * 2 - 1);

    public float NextGaussian() => (float)(Math.Sqrt(-2 * Math.Log(NextUnit())) * Math.Cos(2 * Math.PI * NextUnit()));
}
