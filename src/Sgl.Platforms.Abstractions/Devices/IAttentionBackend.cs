namespace Sgl.Platforms.Devices;

/// <summary>
/// A named implementation of the attention operations on one opened device, chosen with
/// <c>--attention-backend</c> (<see cref="Platform.GetAttentionBackends"/>). Runtimes send it the attention
/// operations it <see cref="Supports(DeviceOperation)"/>; the rest go to the device or the CPU reference.
/// </summary>
public interface IAttentionBackend : IDisposable
{
    /// <summary>The backend's name, as <see cref="Platform.GetAttentionBackends"/> lists it.</summary>
    string Name { get; }

    /// <summary>True when the backend runs <paramref name="operation"/> (a <see cref="PagedAttentionOperation"/> or <see cref="AttentionOperation"/>).</summary>
    /// <param name="operation">An attention operation on the backend's device.</param>
    bool Supports(DeviceOperation operation);

    /// <summary>Enqueues an operation the backend supports on its device's stream.</summary>
    /// <param name="operation">The operation.</param>
    void Execute(DeviceOperation operation);
}
