using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Serving;

/// <summary>
/// A token-to-KV pool on a device: per layer, a key and a value buffer of [<see cref="Capacity"/>, KvHeads × HeadDim]
/// (one row per token slot, the layout the KV operations read), and the bookkeeping of which slots are in use.
/// </summary>
public interface IKvPool : IDisposable
{
    /// <summary>Total token slots.</summary>
    int Capacity { get; }

    /// <summary>Token slots not allocated.</summary>
    int FreeSlots { get; }

    /// <summary>Layers, each with a key and a value buffer.</summary>
    int LayerCount { get; }

    /// <summary>The element type stored.</summary>
    ElementType ElementType { get; }

    /// <summary>Bytes the pool's buffers take across all layers.</summary>
    long SizeBytes { get; }

    /// <summary>Layer <paramref name="layer"/>'s key buffer, [Capacity, KvHeads × HeadDim].</summary>
    /// <param name="layer">The layer.</param>
    DeviceBuffer GetKeys(int layer);

    /// <summary>Layer <paramref name="layer"/>'s value buffer, [Capacity, KvHeads × HeadDim].</summary>
    /// <param name="layer">The layer.</param>
    DeviceBuffer GetValues(int layer);

    /// <summary>Allocates <c>slots.Length</c> slots and writes their indices into <paramref name="slots"/>; allocates no managed memory.</summary>
    /// <param name="slots">Receives the slot indices; its length is the number wanted.</param>
    /// <exception cref="KvPoolExhaustedException">Fewer slots are free than wanted; nothing is allocated.</exception>
    void Allocate(Span<int> slots);

    /// <summary>Returns slots to the pool.</summary>
    /// <param name="slots">Slots earlier filled in by <see cref="Allocate(Span{int})"/>.</param>
    /// <exception cref="ArgumentException">A slot is not allocated in this pool.</exception>
    void Free(ReadOnlySpan<int> slots);
}
