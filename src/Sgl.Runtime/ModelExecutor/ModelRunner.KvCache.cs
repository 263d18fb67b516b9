using System.Globalization;
using Sgl.Platforms.Serving;

namespace Sgl.Runtime.ModelExecutor;

/// <summary>The KV cache part of the model runner: the pool comes from the platform's serving part (<c>CreateKvPool</c>).</summary>
internal sealed partial class ModelRunner
{
    /// <summary>Asks the platform for this rank's KV pool, sized from free device memory and <c>--mem-fraction-static</c> (or <c>--max-total-tokens</c>).</summary>
    private IKvPool CreateKvPool(Platforms.Devices.ComputeDevice device)
    {
        var request = new KvPoolRequest(_shard.Config.LayerCount, _shard.KvHeads, _shard.Config.HeadDim, _args.KvCacheDataType!.Value)
        {
            MaxTokens = _args.MaxTotalTokens,
            // Ranks that share a device share its memory budget.
            MemFractionStatic = _args.MemFractionStatic!.Value / _parallel.RanksSharingDevice(_rank),
        };
        return _compute!.Serving.CreateKvPool(device, request);
    }

    /// <summary>
    /// Takes <paramref name="count"/> slots for positions from <paramref name="firstPosition"/> and writes them into
    /// the device's slot table, saying how far generation got if the pool is full.
    /// </summary>
    private void AllocateSlots(int firstPosition, int count, int generated)
    {
        var pool = _kvPool!;
        var slots = _slots.AsSpan(firstPosition, count);
        try
        {
            pool.Allocate(slots);
        }
        catch (KvPoolExhaustedException e)
        {
            throw new KvPoolExhaustedException(string.Create(CultureInfo.InvariantCulture,
                $"KV pool exhausted after {generated} generated token(s) (capacity {pool.Capacity} tokens). {e.Message}"), e);
        }

        _device!.CopyToDevice<int>(slots, _slotTable!, firstPosition);
    }
}
