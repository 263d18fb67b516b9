using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Runtime.Tests;

/// <summary>A cpu platform probed against a fake /proc, so tests do not depend on the machine they run on.</summary>
internal sealed class FakeCpu : IDisposable
{
    public FakeCpu(int cores = 4, long totalBytes = 8L << 30, long availableBytes = 4L << 30, string flags = "fpu sse4_2 avx avx2 fma avx512f")
    {
        Root = new FakeSystemRoot().WithCpuInfo("Fake Xeon 9000", cores, flags).WithMemInfo(totalBytes, availableBytes);
        Platform = new CpuPlatform();
        Probe = Platform.Probe(new ProbeContext(Root.View()));
    }

    public FakeSystemRoot Root { get; }

    public CpuPlatform Platform { get; }

    public ProbeResult Probe { get; }

    public void Dispose() => Root.Dispose();
}
