using Sgl.Platforms.BuiltIn.Cpu;

namespace Sgl.Platforms.Devices;

/// <summary>FillUniform on the host, a chunk at a time, so a large weight never needs a host copy of its own size.</summary>
internal sealed class FillUniformFallback(FillUniformOperation operation, ComputeDevice host) : CpuFallback(operation, host)
{
    private const int ChunkElements = 1 << 20;
    private readonly float[] _chunk = new float[(int)Math.Min(ChunkElements, operation.Output.ElementCount)];

    protected override void RunCore()
    {
        var total = operation.Output.ElementCount;
        for (long first = 0; first < total; first += _chunk.Length)
        {
            var values = _chunk.AsSpan(0, (int)Math.Min(_chunk.Length, total - first));
            CpuKernels.FillUniform(values, first, operation.Seed, operation.Low, operation.High);
            Upload(values, operation.Output, first);
        }
    }
}
