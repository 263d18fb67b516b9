using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Runtime.ModelExecutor;

/// <summary>The runtime's own runner, used when the platform has no graph runner (or graphs are disabled): each step runs directly.</summary>
internal sealed class EagerGraphRunner : IGraphRunner
{
    public string Name => "eager";

    public T Run<T>(int batchSize, Func<T> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        return forward();
    }
}
