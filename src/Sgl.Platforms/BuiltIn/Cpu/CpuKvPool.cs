using System.Globalization;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Platforms.BuiltIn.Cpu;

/// <summary>
/// A token-to-KV pool in host memory: one K and one V float buffer per layer, each
/// <c>Capacity × KvHeadCount × HeadDim</c> long, and a stack of free token slots.
/// </summary>
internal sealed class CpuKvPool : IKvPool
{
    /// <summary>
    /// The most slots a pool sized from free memory gets. Host memory is shared with the OS and every
    /// other process, and no single run of the reference runtime needs more; an explicit
    /// <see cref="KvPoolRequest.MaxTokens"/> goes beyond it.
    /// </summary>
    public const int MaxDerivedTokens = 1 << 16;

    private readonly Lock _gate = new();
    private readonly float[][] _keys;
    private readonly float[][] _values;
    private readonly int[] _freeSlots;
    private readonly bool[] _allocated;
    private int _freeCount;
    private bool _disposed;

    private CpuKvPool(int layerCount, int tokenStride, int capacity)
    {
        LayerCount = layerCount;
        TokenStride = tokenStride;
        Capacity = capacity;
        _keys = new float[layerCount][];
        _values = new float[layerCount][];
        for (var layer = 0; layer < layerCount; layer++)
        {
            // Uninitialised: a slot is always written before attention reads it.
            _keys[layer] = GC.AllocateUninitializedArray<float>(capacity * tokenStride);
            _values[layer] = GC.AllocateUninitializedArray<float>(capacity * tokenStride);
        }

        // A stack popped from the end, filled so the lowest slots come out first.
        _freeSlots = new int[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _freeSlots[i] = capacity - 1 - i;
        }

        _allocated = new bool[capacity];
        _freeCount = capacity;
    }

    /// <inheritdoc />
    public string Location => "host";

    /// <inheritdoc />
    public int Capacity { get; }

    /// <summary>Layers, each with its own K and V buffer.</summary>
    public int LayerCount { get; }

    /// <summary>Floats one token takes in one layer's K (or V) buffer: KvHeadCount × HeadDim.</summary>
    public int TokenStride { get; }

    /// <inheritdoc />
    public int FreeSlots
    {
        get
        {
            lock (_gate)
            {
                return _freeCount;
            }
        }
    }

    /// <inheritdoc />
    public long SizeBytes => 2L * LayerCount * Capacity * TokenStride * sizeof(float);

    /// <summary>Creates a pool for <paramref name="request"/>, sized from its MaxTokens or from <paramref name="freeBytes"/>.</summary>
    /// <param name="request">Shape, element type and capacity.</param>
    /// <param name="freeBytes">Host memory available now.</param>
    /// <exception cref="NotSupportedException">The element type is not float32.</exception>
    /// <exception cref="KvPoolExhaustedException">The memory budget does not hold a single token.</exception>
    public static CpuKvPool Create(KvPoolRequest request, long freeBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.LayerCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.KvHeadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.HeadDim, 1);
        if (request.DataType != KvCacheDataType.Float32)
        {
            throw new NotSupportedException(
                $"The cpu KV pool stores float32 keys and values, not {request.DataType}; leave the KV cache type unset or choose float32.");
        }

        var stride = request.KvHeadCount * request.HeadDim;
        // A layer's buffer is one array, so the capacity is bounded by the largest array .NET allows.
        var arrayLimit = Array.MaxLength / stride;
        int capacity;
        if (request.MaxTokens is { } maxTokens)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1, nameof(request));
            if (maxTokens > arrayLimit)
            {
                throw new NotSupportedException(string.Create(CultureInfo.InvariantCulture,
                    $"The cpu KV pool holds at most {arrayLimit} tokens of this shape; {maxTokens} were asked for."));
            }

            capacity = maxTokens;
        }
        else
        {
            var budget = Math.Max(0, freeBytes) * request.MemFractionStatic;
            var derived = (long)(budget / request.BytesPerToken);
            if (derived < 1)
            {
                throw new KvPoolExhaustedException(string.Create(CultureInfo.InvariantCulture,
                    $"The KV pool gets no memory: {request.MemFractionStatic} of {freeBytes} free bytes is less than one token ({request.BytesPerToken} bytes). Raise --mem-fraction-static or free host memory."));
            }

            capacity = (int)Math.Min(Math.Min(derived, MaxDerivedTokens), arrayLimit);
        }

        return new CpuKvPool(request.LayerCount, stride, capacity);
    }

    /// <inheritdoc />
    public int[] Allocate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var slots = new int[count];
        Allocate(slots.AsSpan());
        return slots;
    }

    /// <inheritdoc />
    public void Allocate(Span<int> slots)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (slots.Length > _freeCount)
            {
                throw new KvPoolExhaustedException(string.Create(CultureInfo.InvariantCulture,
                    $"The KV pool is out of token slots: {slots.Length} wanted, {_freeCount} of {Capacity} free. Give the pool more room (a higher --mem-fraction-static or --max-total-tokens) or ask for fewer tokens (a shorter prompt or a lower --max-new-tokens)."));
            }

            for (var i = 0; i < slots.Length; i++)
            {
                var slot = _freeSlots[--_freeCount];
                _allocated[slot] = true;
                slots[i] = slot;
            }
        }
    }

    /// <inheritdoc />
    public void Free(ReadOnlySpan<int> slots)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var slot in slots)
            {
                if ((uint)slot >= (uint)Capacity || !_allocated[slot])
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Slot {slot} is not allocated in this pool."), nameof(slots));
                }

                _allocated[slot] = false;
                _freeSlots[_freeCount++] = slot;
            }
        }
    }

    /// <inheritdoc />
    public void Write(int layer, int slot, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        CheckToken(layer, slot, key.Length, value.Length);
        key.CopyTo(_keys[layer].AsSpan(slot * TokenStride, TokenStride));
        value.CopyTo(_values[layer].AsSpan(slot * TokenStride, TokenStride));
    }

    /// <inheritdoc />
    public void Read(int layer, int slot, Span<float> key, Span<float> value)
    {
        CheckToken(layer, slot, key.Length, value.Length);
        _keys[layer].AsSpan(slot * TokenStride, TokenStride).CopyTo(key);
        _values[layer].AsSpan(slot * TokenStride, TokenStride).CopyTo(value);
    }

    /// <summary>One layer's K buffer, read in place by the attention backend (no copy per token).</summary>
    public ReadOnlySpan<float> LayerKeys(int layer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _keys[layer];
    }

    /// <summary>One layer's V buffer, read in place by the attention backend.</summary>
    public ReadOnlySpan<float> LayerValues(int layer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _values[layer];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            // The buffers are managed memory; dropping the references lets the GC reclaim them.
            _disposed = true;
            Array.Clear(_keys);
            Array.Clear(_values);
        }
    }

    private void CheckToken(int layer, int slot, int keyLength, int valueLength)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)layer, (uint)LayerCount, nameof(layer));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)slot, (uint)Capacity, nameof(slot));
        if (keyLength != TokenStride || valueLength != TokenStride)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"A token's key and value each hold {TokenStride} floats (KvHeadCount × HeadDim); got {keyLength} and {valueLength}."));
        }
    }
}
