namespace Sgl.Platforms.Devices;

/// <summary>
/// A device's queue of work (a CUDA stream, a SYCL queue): copies and operations enqueued on it run in the
/// order they were enqueued. Contract v1 gives each <see cref="ComputeDevice"/> one queue, <see cref="ComputeDevice.Queue"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "A device queue (a CUDA stream, a SYCL queue) is the established name; it is not a collection.")]
public abstract class DeviceQueue
{
    /// <summary>Creates the queue of <paramref name="device"/>.</summary>
    /// <param name="device">The device whose work the queue orders.</param>
    protected DeviceQueue(ComputeDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
    }

    /// <summary>The device.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The queue's native handle (a <c>CUstream</c> for CUDA) for kernels from outside the platform to enqueue on; 0 when the platform does not expose one or runs work as it is enqueued.</summary>
    /// <remarks>Contract 1.1.</remarks>
    public virtual nint NativeHandle => 0;

    /// <summary>Blocks until every copy and operation enqueued so far has finished; throws the platform's error if one failed.</summary>
    public abstract void Synchronize();
}
