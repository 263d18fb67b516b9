using System.Globalization;
using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Serving;

/// <summary>
/// The contract's KV pool: two buffers per layer allocated on a <see cref="ComputeDevice"/> and a stack of
/// free token slots. <see cref="ServingHooks.CreateKvPool"/> returns one unless a platform needs its own.
/// </summary>
public sealed class KvPool : IKvPool
{
    private readonly Lock _gate = new();
    private readonly DeviceBuffer[] _keys;
    private readonly DeviceBuffer[] _values;
    private readonly int[] _freeSlots;
    private readonly bool[] _allocated;
    private int _freeCount;
    private bool _disposed;

    private KvPool(KvPoolRequest request, int capacity, DeviceBuffer[] keys, DeviceBuffer[] values)
    {
        Request = request;
        Capacity = capacity;
        _keys = keys;
        _values = values;
        // A stack popped from the end, filled so the lowest slots come out first.
        _freeSlots = new int[capacity];
        for (var i = 0; i < capacity; i++)
        {
            _freeSlots[i] = capacity - 1 - i;
        }

        _allocated = new bool[capacity];
        _freeCount = capacity;
    }

    /// <summary>What the pool was created for.</summary>
    public KvPoolRequest Request { get; }

    /// <inheritdoc />
    public int Capacity { get; }

    /// <inheritdoc />
    public int LayerCount => _keys.Length;

    /// <inheritdoc />
    public ElementType ElementType => Request.ElementType;

    /// <inheritdoc />
    public long SizeBytes => Capacity * Request.BytesPerToken;

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

    /// <summary>
    /// Allocates a pool on <paramref name="device"/>. Its capacity is <see cref="KvPoolRequest.MaxTokens"/>, or the
    /// device's free memory (<see cref="Platform.GetFreeMemory(int)"/>) times <see cref="KvPoolRequest.MemFractionStatic"/>
    /// over <see cref="KvPoolRequest.BytesPerToken"/>, at most <paramref name="maxDerivedTokens"/>.
    /// </summary>
    /// <param name="device">The device the buffers live on.</param>
    /// <param name="request">Shape, element type and capacity.</param>
    /// <param name="maxDerivedTokens">A cap on a capacity derived from free memory (a host pool shares memory with everything else).</param>
    /// <exception cref="KvPoolExhaustedException">The memory budget does not hold a single token.</exception>
    /// <exception cref="DeviceOutOfMemoryException">The buffers did not fit; nothing stays allocated.</exception>
    public static KvPool Create(ComputeDevice device, KvPoolRequest request, int maxDerivedTokens = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.LayerCount, 1, nameof(request));
        ArgumentOutOfRangeException.ThrowIfLessThan(request.KvHeadCount, 1, nameof(request));
        ArgumentOutOfRangeException.ThrowIfLessThan(request.HeadDim, 1, nameof(request));
        var capacity = request.MaxTokens ?? DeriveCapacity(device, request, maxDerivedTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1, nameof(request));

        var shape = new TensorShape(capacity, request.TokenWidth);
        var keys = new DeviceBuffer[request.LayerCount];
        var values = new DeviceBuffer[request.LayerCount];
        var allocated = new List<DeviceBuffer>(2 * request.LayerCount);
        try
        {
            for (var layer = 0; layer < request.LayerCount; layer++)
            {
                allocated.Add(keys[layer] = device.Allocate(request.ElementType, shape));
                allocated.Add(values[layer] = device.Allocate(request.ElementType, shape));
            }
        }
        catch (DeviceOutOfMemoryException e)
        {
            allocated.ForEach(b => b.Dispose());
            throw new DeviceOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"A KV pool of {capacity} tokens ({capacity * request.BytesPerToken} bytes over {request.LayerCount} layers of {request.ElementType}) does not fit on {device}: {e.Message} Nothing was kept. Lower --mem-fraction-static or --max-total-tokens, or free device memory held by other processes."), e)
            {
                RequestedBytes = capacity * request.BytesPerToken,
                FreeBytes = e.FreeBytes,
            };
        }

        return new KvPool(request, capacity, keys, values);
    }

    /// <inheritdoc />
    public DeviceBuffer GetKeys(int layer) => Layer(_keys, layer);

    /// <inheritdoc />
    public DeviceBuffer GetValues(int layer) => Layer(_values, layer);

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

    /// <summary>Releases every buffer. Safe to call twice.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        foreach (var buffer in _keys.Concat(_values))
        {
            buffer.Dispose();
        }
    }

    private static int DeriveCapacity(ComputeDevice device, KvPoolRequest request, int maxDerivedTokens)
    {
        if (request.MemFractionStatic is not (> 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.MemFractionStatic, "MemFractionStatic must be in (0, 1].");
        }

        var free = device.Platform.GetFreeMemory(device.Index);
        var tokens = Math.Floor(Math.Max(0, free) * request.MemFractionStatic / request.BytesPerToken);
        if (tokens < 1)
        {
            throw new KvPoolExhaustedException(string.Create(CultureInfo.InvariantCulture,
                $"The KV pool gets no memory: {request.MemFractionStatic} of the {free} bytes free on {device} is less than one token ({request.BytesPerToken} bytes). Raise --mem-fraction-static, set --max-total-tokens, or free memory."));
        }

        return (int)Math.Min(tokens, (double)maxDerivedTokens);
    }

    private DeviceBuffer Layer(DeviceBuffer[] buffers, int layer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, buffers.Length);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return buffers[layer];
    }
}
