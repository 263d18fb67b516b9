using Sgl.Platforms.BuiltIn.Cpu;

namespace Sgl.Platforms.Devices;

/// <summary>A KV write on the host: the new tokens' rows are computed from a host copy of the batch and written into the device caches row by row.</summary>
internal sealed class KvWriteFallback : CpuFallback
{
    private readonly KvWriteOperation _operation;
    private readonly KvLayout _layout;
    private readonly DeviceBuffer _qkv;
    private readonly int[] _slotTable;
    private readonly int[] _positions;

    public KvWriteFallback(KvWriteOperation operation, ComputeDevice host)
        : base(operation, host)
    {
        _operation = operation;
        _layout = KvLayout.Of(operation);
        _qkv = HostBuffer(ElementType.Float32, operation.Qkv.Shape);
        _slotTable = new int[operation.SlotTable.ElementCount];
        _positions = new int[operation.Positions.ElementCount];
    }

    protected override void RunCore()
    {
        Download(_operation.Qkv, _qkv);
        Device.CopyToHost<int>(_operation.SlotTable, _slotTable);
        Device.CopyToHost<int>(_operation.Positions, _positions);
        var qkv = HostFloats(_qkv);
        var width = _layout.KvWidth;
        for (var r = 0; r < _layout.Tokens; r++)
        {
            if (_layout.SlotOf(_slotTable, _positions, r) is { } slot)
            {
                var row = qkv.Slice(r * _layout.QkvWidth, _layout.QkvWidth);
                Upload(row.Slice(_layout.KeyOffset, width), _operation.KeyCache, (long)slot * width);
                Upload(row.Slice(_layout.ValueOffset, width), _operation.ValueCache, (long)slot * width);
            }
        }
    }
}
