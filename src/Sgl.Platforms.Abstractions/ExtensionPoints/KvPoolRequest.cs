namespace Sgl.Platforms.ExtensionPoints;

/// <summary>What the runtime asks of <see cref="Platform.CreateKvPool(KvPoolRequest)"/>.</summary>
/// <param name="LayerCount">Transformer layers, each with its own K and V buffers.</param>
/// <param name="KvHeadCount">Key/value heads per layer on this rank.</param>
/// <param name="HeadDim">Elements per head.</param>
/// <param name="DataType">Element type.</param>
public sealed record KvPoolRequest(int LayerCount, int KvHeadCount, int HeadDim, KvCacheDataType DataType)
{
    /// <summary>Token slots wanted; when null the platform derives capacity from free memory and <see cref="MemFractionStatic"/>.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Fraction of free device memory the pool may take when <see cref="MaxTokens"/> is null.</summary>
    public double MemFractionStatic { get; init; } = 0.5;

    /// <summary>The device (local index) the pool lives on.</summary>
    public int DeviceIndex { get; init; }

    /// <summary>Bytes one token takes across all layers (K and V).</summary>
    public long BytesPerToken => 2L * LayerCount * KvHeadCount * HeadDim * ElementSize(DataType);

    /// <summary>Bytes of one element of <paramref name="dataType"/>.</summary>
    /// <param name="dataType">The element type.</param>
    public static int ElementSize(KvCacheDataType dataType) => dataType == KvCacheDataType.Float32 ? 4 : 2;
}
