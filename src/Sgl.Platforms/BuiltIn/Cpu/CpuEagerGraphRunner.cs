using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// Runs each forward step directly. Graph capture saves kernel-launch overhead, which the host does not
/// have, so the cpu platform runs eagerly.
/// </summary>
internal sealed class CpuEagerGraphRunner : IGraphRunner
{
    /// <inheritdoc />
    public string Name => "eager";

    /// <inheritdoc />
    public T Run<T>(int batchSize, Func<T> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return forward();
    }
}
