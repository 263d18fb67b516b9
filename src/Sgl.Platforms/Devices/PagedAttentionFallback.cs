using Sgl.Platforms.BuiltIn.Cpu;

namespace Sgl.Platforms.Devices;

/// <summary>
/// Paged attention on the host without copying the whole cache: only the rows the tokens' slots reference are
/// copied (consecutive slots in one copy), into a compact host cache the slot table is renumbered to.
/// </summary>
internal sealed class PagedAttentionFallback : CpuFallback
{
    private readonly PagedAttentionOperation _operation;
    private readonly KvLayout _layout;
    private readonly DeviceBuffer _qkv;
    private readonly DeviceBuffer _positions;
    private readonly DeviceBuffer _slotTable;
    private readonly DeviceBuffer _keys;
    private readonly DeviceBuffer _values;
    private readonly DeviceBuffer _output;
    private readonly DeviceOperation _hostOperation;
    private readonly int[] _deviceSlotTable;
    private readonly int[] _compactRowOfSlot;
    private readonly int[] _slotOfCompactRow;

    public PagedAttentionFallback(PagedAttentionOperation operation, ComputeDevice host)
        : base(operation, host)
    {
        _operation = operation;
        _layout = KvLayout.Of(operation);
        var referenced = (int)Math.Min(_layout.Capacity, (long)_layout.TableRows * _layout.TableColumns);
        _qkv = HostBuffer(ElementType.Float32, operation.Qkv.Shape);
        _positions = HostBuffer(ElementType.Int32, operation.Positions.Shape);
        _slotTable = HostBuffer(ElementType.Int32, operation.SlotTable.Shape);
        _keys = HostBuffer(ElementType.Float32, new TensorShape(referenced, _layout.KvWidth));
        _values = HostBuffer(ElementType.Float32, new TensorShape(referenced, _layout.KvWidth));
        _output = HostBuffer(ElementType.Float32, operation.Output.Shape);
        _hostOperation = operation is PrefillAttentionOperation
            ? new PrefillAttentionOperation(_qkv, operation.Heads, _keys, _values, _slotTable, _positions, _output, operation.Scale)
            : new DecodeAttentionOperation(_qkv, operation.Heads, _keys, _values, _slotTable, _positions, _output, operation.Scale);
        _deviceSlotTable = new int[operation.SlotTable.ElementCount];
        _compactRowOfSlot = new int[_layout.Capacity];
        Array.Fill(_compactRowOfSlot, -1);
        _slotOfCompactRow = new int[referenced];
    }

    protected override void RunCore()
    {
        Download(_operation.Qkv, _qkv);
        Device.CopyToHost<int>(_operation.SlotTable, _deviceSlotTable);
        Device.CopyToHost(_operation.Positions, HostInts(_positions));
        var positions = HostInts(_positions);
        var table = HostInts(_slotTable);
        table.Fill(-1);
        var rows = 0;
        for (var r = 0; r < _layout.Tokens; r++)
        {
            var position = positions[r];
            if ((uint)position >= (uint)_layout.TableColumns)
            {
                continue;
            }

            var start = _layout.SequenceOf(r) * _layout.TableColumns;
            for (var j = start; j <= start + position; j++)
            {
                var slot = _deviceSlotTable[j];
                if ((uint)slot >= (uint)_layout.Capacity)
                {
                    continue;
                }

                if (_compactRowOfSlot[slot] < 0)
                {
                    _compactRowOfSlot[slot] = rows;
                    _slotOfCompactRow[rows++] = slot;
                }

                table[j] = _compactRowOfSlot[slot];
            }
        }

        CopyReferencedRows(rows);
        Host.Execute(_hostOperation);
        Upload(_output, _operation.Output);
        for (var k = 0; k < rows; k++)
        {
            _compactRowOfSlot[_slotOfCompactRow[k]] = -1;
        }
    }

    /// <summary>Copies the referenced cache rows, a run of consecutive slots at a time.</summary>
    private void CopyReferencedRows(int rows)
    {
        var width = _layout.KvWidth;
        var keys = HostFloats(_keys);
        var values = HostFloats(_values);
        for (var first = 0; first < rows;)
        {
            var last = first;
            while (last + 1 < rows && _slotOfCompactRow[last + 1] == _slotOfCompactRow[last] + 1)
            {
                last++;
            }

            var count = (last - first + 1) * width;
            var offset = (long)_slotOfCompactRow[first] * width;
            Download(_operation.KeyCache, offset, keys.Slice(first * width, count));
            Download(_operation.ValueCache, offset, values.Slice(first * width, count));
            first = last + 1;
        }
    }
}
