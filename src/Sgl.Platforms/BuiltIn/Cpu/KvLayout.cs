using Sgl.Platforms.Devices;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>The numbers a KV-cache operation's kernels index with (<see cref="KvCacheOperation"/>), taken once from the operation.</summary>
internal readonly record struct KvLayout(int Tokens, int QueryHeads, int KvHeads, int HeadDim, int TableRows, int TableColumns, int Capacity)
{
    public int KvWidth => KvHeads * HeadDim;

    public int QkvWidth => (QueryHeads + 2 * KvHeads) * HeadDim;

    public int KeyOffset => QueryHeads * HeadDim;

    public int ValueOffset => KeyOffset + KvWidth;

    public static KvLayout Of(KvCacheOperation operation) => new(
        operation.Qkv.Shape.Rows, operation.Heads.QueryHeads, operation.Heads.KvHeads, operation.Heads.HeadDim,
        operation.SlotTable.Shape.Rows, operation.SlotTable.Shape.Columns, operation.KeyCache.Shape.Rows);

    /// <summary>The sequence token <paramref name="row"/> belongs to: 0 for a one-row table (prefill), else the row itself.</summary>
    public int SequenceOf(int row) => TableRows == 1 ? 0 : row;

    /// <summary>The cache slot of token <paramref name="row"/>, or null when its position or slot is out of range.</summary>
    public int? SlotOf(ReadOnlySpan<int> slotTable, ReadOnlySpan<int> positions, int row)
    {
        var position = positions[row];
        if ((uint)position >= (uint)TableColumns)
        {
            return null;
        }

        var slot = slotTable[SequenceOf(row) * TableColumns + position];
        return (uint)slot < (uint)Capacity ? slot : null;
    }
}
