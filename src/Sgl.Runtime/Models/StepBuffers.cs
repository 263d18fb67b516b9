using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Models;

/// <summary>
/// The activations of a step of up to <see cref="Rows"/> tokens, allocated once on the device. A step of fewer
/// tokens uses row slices of them.
/// </summary>
internal sealed class StepBuffers : IDisposable
{
    private readonly List<DeviceBuffer> _all = [];

    public StepBuffers(ComputeDevice device, DecoderShard shard, ElementType dataType, int rows)
    {
        var h = shard.Config.HiddenSize;
        Rows = rows;
        Residual = Allocate(device, dataType, rows, h);
        Hidden = Allocate(device, dataType, rows, h);
        Qkv = Allocate(device, dataType, rows, shard.Heads.QkvWidth);
        Attention = Allocate(device, dataType, rows, shard.Heads.OutputWidth);
        AttentionOutput = Allocate(device, dataType, rows, h);
        GateUp = Allocate(device, dataType, rows, 2 * shard.Intermediate);
        Activated = Allocate(device, dataType, rows, shard.Intermediate);
        MlpOutput = Allocate(device, dataType, rows, h);
        TokenIds = Allocate(device, ElementType.Int32, rows, 1);
        Positions = Allocate(device, ElementType.Int32, rows, 1);
    }

    public int Rows { get; }

    /// <summary>The residual stream, [rows, hidden].</summary>
    public DeviceBuffer Residual { get; }

    /// <summary>A normalised hidden state, [rows, hidden].</summary>
    public DeviceBuffer Hidden { get; }

    public DeviceBuffer Qkv { get; }

    public DeviceBuffer Attention { get; }

    public DeviceBuffer AttentionOutput { get; }

    public DeviceBuffer GateUp { get; }

    public DeviceBuffer Activated { get; }

    public DeviceBuffer MlpOutput { get; }

    /// <summary>[rows, 1] Int32: the step's input tokens.</summary>
    public DeviceBuffer TokenIds { get; }

    /// <summary>[rows, 1] Int32: the input tokens' positions.</summary>
    public DeviceBuffer Positions { get; }

    public void Dispose()
    {
        foreach (var buffer in _all)
        {
            buffer.Dispose();
        }
    }

    private DeviceBuffer Allocate(ComputeDevice device, ElementType elementType, int rows, int columns)
    {
        var buffer = device.Allocate(elementType, new TensorShape(rows, columns));
        _all.Add(buffer);
        return buffer;
    }
}
