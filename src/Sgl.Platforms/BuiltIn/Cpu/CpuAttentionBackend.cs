using Sgl.Platforms.Devices;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// The cpu platform's attention backend: scaled dot-product attention with SIMD primitives (dot products,
/// softmax, multiply-add), reading keys and values in place from the cpu KV pool's buffers.
/// </summary>
internal sealed class CpuAttentionBackend(ComputeDevice device) : IAttentionBackend
{
    /// <inheritdoc />
    public string Name => CpuPlatform.AttentionBackendName;

    /// <inheritdoc />
    public bool Supports(DeviceOperation operation) =>
        operation is PagedAttentionOperation or AttentionOperation && ReferenceEquals(operation.Device, device) && device.Supports(operation);

    /// <inheritdoc />
    public void Execute(DeviceOperation operation) => device.Execute(operation);

    /// <summary>The backend holds nothing of its own.</summary>
    public void Dispose()
    {
    }
}
