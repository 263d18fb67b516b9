using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Sgl.Platforms.Benchmarks;

/// <summary>
/// Resolution (discover, validate, load, compose, probe, rank) with 7, 20 and 100 synthetic plugins,
/// in a warm process: the steady-state cost once the host's code is jitted. Every operation creates
/// fresh load contexts and loads every plugin again, so assembly loading is in the figure; the cold,
/// once-per-process figure comes from the <c>cold</c> mode (see eng/bench/compare.py).
/// </summary>
[MemoryDiagnoser]
// Each operation loads every plugin into new, non-collectible contexts, so a short run keeps memory bounded.
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 10, invocationCount: 8)]
public class ResolutionBenchmarks
{
    private PlatformOptions _options = null!;

    [Params(7, 20, 100)]
    public int Plugins { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        SyntheticPlugins.Ensure(SyntheticPlugins.WorkDirectory, Plugins);
        _options = SyntheticPlugins.Options(SyntheticPlugins.WorkDirectory, Plugins);
    }

    [Benchmark]
    public string? Resolve() => new PlatformResolver(_options).Resolve().Selected;
}
