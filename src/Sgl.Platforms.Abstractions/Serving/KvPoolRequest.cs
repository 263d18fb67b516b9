using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Serving;

/// <summary>What the runtime asks of <see cref="ServingHooks.CreateKvPool"/>.</summary>
/// <param name="LayerCount">Transformer layers, each with its own K and V buffers.</param>
/// <param name="KvHeadCount">Key/value heads per layer on this rank.</param>
/// <param name="HeadDim">Elements per head.</param>
/// <param name="ElementType">The element type stored.</param>
public sealed record KvPoolRequest(int LayerCount, int KvHeadCount, int HeadDim, ElementType ElementType)
{
    /// <summary>Token slots wanted; when null the pool derives capacity from free memory and <see cref="MemFractionStatic"/>.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Fraction of free device memory the pool may take when <see cref="MaxTokens"/> is null, in (0, 1].</summary>
    public double MemFractionStatic { get; init; } = 0.5;

    /// <summary>Elements of one token in one layer's key (or value) buffer: KvHeadCount × HeadDim.</summary>
    public int TokenWidth => KvHeadCount * HeadDim;

    /// <summary>Bytes one token takes across all layers (K and V).</summary>
    public long BytesPerToken => 2L * LayerCount * TokenWidth * ElementTypes.SizeOf(ElementType);
}
