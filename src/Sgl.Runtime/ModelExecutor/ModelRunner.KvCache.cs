using System.Globalization;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Runtime.ModelExecutor;

/// <summary>The KV cache part of the model runner: the pool comes from <c>Platform.CreateKvPool</c>.</summary>
internal sealed partial class ModelRunner
{
    /// <summary>Asks the platform for this rank's KV pool, sized from free device memory and <c>--mem-fraction-static</c> (or <c>--max-total-tokens</c>).</summary>
    private IKvPool CreateKvPool(int deviceIndex)
    {
        var request = new KvPoolRequest(_shard.Config.LayerCount, _shard.LocalHeads, _shard.Config.HeadDim, _args.KvCacheDataType!.Value)
        {
            MaxTokens = _args.MaxTotalTokens,
            // Ranks that share a device share its memory budget.
            MemFractionStatic = _args.MemFractionStatic!.Value / _parallel.RanksSharingDevice(_rank),
            DeviceIndex = deviceIndex,
        };
        try
        {
            return _platform.CreateKvPool(request);
        }
        catch (NotSupportedException e)
        {
            throw new PlatformCapabilityException(
                $"Platform '{_platform.DeviceName}' could not create the KV pool: {e.Message}", e) { PlanSoFar = Plan };
        }
    }

    /// <summary>Takes <paramref name="slots"/>.Length slots, saying how far generation got if the pool is full.</summary>
    private void AllocateSlots(Span<int> slots, int generated)
    {
        var pool = _kvPool!;
        try
        {
            pool.Allocate(slots);
        }
        catch (KvPoolExhaustedException e)
        {
            throw new KvPoolExhaustedException(string.Create(CultureInfo.InvariantCulture,
                $"KV pool exhausted after {generated} generated token(s) (capacity {pool.Capacity} tokens). {e.Message}"), e);
        }
    }
}
