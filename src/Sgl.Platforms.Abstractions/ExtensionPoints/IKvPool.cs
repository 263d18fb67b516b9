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

    /// <summary>Allocates <paramref name="count"/> slots.</summary>
    /// <param name="count">Slots wanted.</param>
    /// <returns>The allocated slot indices.</returns>
    /// <exception cref="KvPoolExhaustedException">Fewer than <paramref name="count"/> slots are free; nothing is allocated.</exception>
    int[] Allocate(int count);

    /// <summary>Allocates <c>slots.Length</c> slots and writes their indices into <paramref name="slots"/>.</summary>
    /// <remarks>
    /// The runtime's decode path calls this form so a step need not allocate an array. The default calls
    /// <see cref="Allocate(int)"/>; override it when the pool can fill the span directly.
    /// </remarks>
    /// <param name="slots">Receives the allocated slot indices; its length is the number of slots wanted.</param>
    /// <exception cref="KvPoolExhaustedException">Fewer than <c>slots.Length</c> slots are free; nothing is allocated.</exception>
    void Allocate(Span<int> slots) => Allocate(slots.Length).CopyTo(slots);

    /// <summary>Returns slots to the pool.</summary>
    /// <param name="slots">Slots earlier returned by <see cref="Allocate(int)"/> or filled in by <see cref="Allocate(Span{int})"/>.</param>
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
