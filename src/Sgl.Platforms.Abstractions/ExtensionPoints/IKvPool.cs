namespace Sgl.Platforms.ExtensionPoints;

/// <summary>A token-to-KV pool: per-layer K and V storage addressed by token slot.</summary>
public interface IKvPool : IDisposable
{
    /// <summary>Where the buffers live, for example <c>host</c> or <c>device</c>.</summary>
    string Location { get; }

    /// <summary>Total token slots.</summary>
    int Capacity { get; }

    /// <summary>Token slots not allocated.</summary>
    int FreeSlots { get; }

    /// <summary>Bytes the pool holds across all layers.</summary>
    long SizeBytes { get; }

    /// <summary>Allocates <c>slots.Length</c> token slots and writes their indices into <paramref name="slots"/>.</summary>
    /// <remarks>Takes a span rather than returning an array so a decode step allocates nothing on the managed heap.</remarks>
    /// <param name="slots">Receives the allocated slot indices; its length is the number of slots wanted.</param>
    /// <exception cref="KvPoolExhaustedException">Fewer than <c>slots.Length</c> slots are free; nothing is allocated.</exception>
    void Allocate(Span<int> slots);

    /// <summary>Returns slots to the pool.</summary>
    /// <param name="slots">Slots earlier filled in by <see cref="Allocate(Span{int})"/>.</param>
    void Free(ReadOnlySpan<int> slots);

    /// <summary>Stores one token's key and value for one layer (float32 on the host side).</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="slot">The token slot.</param>
    /// <param name="key">KvHeadCount × HeadDim elements.</param>
    /// <param name="value">KvHeadCount × HeadDim elements.</param>
    void Write(int layer, int slot, ReadOnlySpan<float> key, ReadOnlySpan<float> value);

    /// <summary>Reads one token's key and value for one layer back to the host.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="slot">The token slot.</param>
    /// <param name="key">Receives KvHeadCount × HeadDim elements.</param>
    /// <param name="value">Receives KvHeadCount × HeadDim elements.</param>
    void Read(int layer, int slot, Span<float> key, Span<float> value);
}
