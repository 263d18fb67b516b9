using BenchmarkDotNet.Attributes;

namespace Sgl.Platforms.Benchmarks;

/// <summary>
/// The per-call cost of the hardware checks ported code makes on hot paths, after resolution.
/// Each benchmark makes 1,000 checks so the figure per check is not lost in the harness's overhead.
/// </summary>
public class HotPathBenchmarks
{
    private const int Checks = 1000;
    private Platform _resolved = null!;

    [GlobalSetup]
    public void Setup()
    {
        Environment.SetEnvironmentVariable("SGL_PLATFORM", "cpu");
        _resolved = CurrentPlatform.Instance;
    }

    /// <summary>The floor: the same property on a platform reference the caller already holds.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Checks)]
    public int HeldReferenceIsNpu()
    {
        var platform = _resolved;
        var hits = 0;
        for (var i = 0; i < Checks; i++)
        {
            hits += platform.IsNpu ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Checks)]
    public int CurrentPlatformInstanceIsNpu()
    {
        var hits = 0;
        for (var i = 0; i < Checks; i++)
        {
            hits += CurrentPlatform.Instance.IsNpu ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Checks)]
    public int DeviceChecksIsNpu()
    {
        var hits = 0;
        for (var i = 0; i < Checks; i++)
        {
            hits += DeviceChecks.IsNpu() ? 1 : 0;
        }

        return hits;
    }
}
