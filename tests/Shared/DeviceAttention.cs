using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Tests.Support;

/// <summary>
/// An attention backend as a contribution would add it, running attention through the device itself (so its
/// results are the platform's own) and counting what it ran; <c>rewrite</c> changes each operation first, to
/// inject a wrong result.
/// </summary>
internal sealed class DeviceAttention(ComputeDevice device, string name, Func<DeviceOperation, DeviceOperation>? rewrite = null) : IAttentionBackend
{
    private int _executed;

    /// <summary>How many operations it ran.</summary>
    public int Executed => Volatile.Read(ref _executed);

    public string Name => name;

    public bool Supports(DeviceOperation operation) => operation is PagedAttentionOperation or AttentionOperation && device.Supports(operation);

    public void Execute(DeviceOperation operation)
    {
        Interlocked.Increment(ref _executed);
        device.Execute(rewrite?.Invoke(operation) ?? operation);
    }

    public void Dispose()
    {
    }
}
