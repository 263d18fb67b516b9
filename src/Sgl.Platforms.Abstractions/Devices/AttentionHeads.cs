using System.Globalization;

namespace Sgl.Platforms.Devices;

/// <summary>
/// The head layout of an attention layer. A fused QKV projection produces rows of
/// <c>[ q (QueryHeads × HeadDim) | k (KvHeads × HeadDim) | v (KvHeads × HeadDim) ]</c>; query head h reads key/value
/// head <c>h / (QueryHeads / KvHeads)</c> (grouped-query attention when KvHeads &lt; QueryHeads).
/// </summary>
public readonly record struct AttentionHeads
{
    /// <summary>Creates the layout.</summary>
    /// <param name="queryHeads">Query heads; a multiple of <paramref name="kvHeads"/>.</param>
    /// <param name="kvHeads">Key/value heads; at least 1.</param>
    /// <param name="headDim">Elements per head; even (rotary pairs), at most 256.</param>
    /// <exception cref="ArgumentOutOfRangeException">The layout is not valid.</exception>
    public AttentionHeads(int queryHeads, int kvHeads, int headDim)
    {
        if (kvHeads < 1 || queryHeads < kvHeads || queryHeads % kvHeads != 0 || headDim < 2 || headDim % 2 != 0 || headDim > MaxHeadDim)
        {
            throw new ArgumentOutOfRangeException(nameof(queryHeads), string.Create(CultureInfo.InvariantCulture,
                $"Attention heads ({queryHeads} query, {kvHeads} key/value, head dim {headDim}) are not valid: query heads must be a positive multiple of key/value heads and the head dim even and at most {MaxHeadDim}."));
        }

        QueryHeads = queryHeads;
        KvHeads = kvHeads;
        HeadDim = headDim;
    }

    /// <summary>The largest head dimension the contract promises platforms handle.</summary>
    public const int MaxHeadDim = 256;

    /// <summary>Query heads.</summary>
    public int QueryHeads { get; }

    /// <summary>Key/value heads.</summary>
    public int KvHeads { get; }

    /// <summary>Elements per head.</summary>
    public int HeadDim { get; }

    /// <summary>Elements of one fused QKV row: (QueryHeads + 2 KvHeads) × HeadDim.</summary>
    public int QkvWidth => (QueryHeads + 2 * KvHeads) * HeadDim;

    /// <summary>Elements of one key (or value) row in the KV cache: KvHeads × HeadDim.</summary>
    public int KvWidth => KvHeads * HeadDim;

    /// <summary>Elements of one attention output row: QueryHeads × HeadDim.</summary>
    public int OutputWidth => QueryHeads * HeadDim;

    /// <summary>For example <c>4q/4kv×16</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{QueryHeads}q/{KvHeads}kv×{HeadDim}");
}
