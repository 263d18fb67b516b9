using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// CUDA graphs: the first run of a step for a batch size captures what it enqueues on the device's stream
/// (cuStreamBeginCapture … cuStreamEndCapture), instantiates it once, and every run launches the instantiated
/// graph (cuGraphLaunch) without enqueuing the step's kernels one by one again.
/// </summary>
internal sealed class CudaGraphRunner(CudaDevice device) : IGraphRunner
{
    private readonly Dictionary<int, (IntPtr Graph, IntPtr Exec)> _graphs = [];

    /// <inheritdoc />
    public string Name => "cuda-graph";

    /// <inheritdoc />
    public void Capture(int batchSize, Action enqueueStep) => CaptureOnce(batchSize, enqueueStep);

    /// <inheritdoc />
    public void Run(int batchSize, Action enqueueStep)
    {
        var captured = CaptureOnce(batchSize, enqueueStep);
        device.MakeCurrent();
        device.Driver.LaunchGraph(captured.Exec, device.Stream);
    }

    private (IntPtr Graph, IntPtr Exec) CaptureOnce(int batchSize, Action enqueueStep)
    {
        ArgumentNullException.ThrowIfNull(enqueueStep);
        if (!_graphs.TryGetValue(batchSize, out var captured))
        {
            device.BeginCapture();
            try
            {
                enqueueStep();
            }
            catch
            {
                device.AbandonCapture();
                throw;
            }

            var graph = device.EndCapture();
            try
            {
                captured = (graph, device.Driver.Instantiate(graph));
            }
            catch
            {
                device.Driver.DestroyGraph(graph);
                throw;
            }

            _graphs[batchSize] = captured;
        }

        return captured;
    }

    /// <summary>Destroys the instantiated graphs and the graphs they came from.</summary>
    public void Dispose()
    {
        if (device.IsDisposed)
        {
            _graphs.Clear();
            return;
        }

        device.MakeCurrent();
        foreach (var (graph, exec) in _graphs.Values)
        {
            device.Driver.DestroyGraphExec(exec);
            device.Driver.DestroyGraph(graph);
        }

        _graphs.Clear();
    }
}
