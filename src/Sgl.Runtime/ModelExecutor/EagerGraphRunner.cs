using Sgl.Platforms.Serving;

namespace Sgl.Runtime.ModelExecutor;

/// <summary>The runtime's own runner, used when the platform has no graph runner (or graphs are disabled): each step is enqueued directly.</summary>
internal sealed class EagerGraphRunner : IGraphRunner
{
    public const string RunnerName = "eager";

    public string Name => RunnerName;

    public void Capture(int batchSize, Action enqueueStep) => ArgumentNullException.ThrowIfNull(enqueueStep);

    public void Run(int batchSize, Action enqueueStep)
    {
        ArgumentNullException.ThrowIfNull(enqueueStep);
        enqueueStep();
    }

    public void Dispose()
    {
    }
}
