namespace Sgl.Platforms.Serving;

/// <summary>
/// Runs a model step on a device, by capturing it as a graph once and replaying it, where the platform can
/// (<see cref="PlatformCapabilities.GraphCapture"/>). Created by <see cref="ServingHooks.CreateGraphRunner"/>.
/// </summary>
/// <remarks>
/// The runtime guarantees that a step enqueues the same operations on the same buffers every time it runs for
/// a given batch size (what changes between steps lives in device buffers the step reads), and that the step
/// neither waits for the device nor copies to the host. A runner may therefore call it once to capture it
/// and replay the capture afterwards without calling it again.
/// </remarks>
public interface IGraphRunner : IDisposable
{
    /// <summary>A short name shown in the launch plan (for example <c>cuda-graph</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Captures the step for a batch of <paramref name="batchSize"/> without running it, so the first run does not pay
    /// for the capture (runtimes call this while they start up). Does nothing if that batch size is captured already.
    /// </summary>
    /// <param name="batchSize">Sequences in the batch.</param>
    /// <param name="enqueueStep">Enqueues the step's operations on the device's queue.</param>
    void Capture(int batchSize, Action enqueueStep);

    /// <summary>Runs the step for a batch of <paramref name="batchSize"/>: captures it the first time, replays it afterwards.</summary>
    /// <param name="batchSize">Sequences in the batch; each size has its own graph.</param>
    /// <param name="enqueueStep">Enqueues the step's operations on the device's queue.</param>
    void Run(int batchSize, Action enqueueStep);
}
