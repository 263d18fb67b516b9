using System.Buffers;
using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// A token-to-KV pool in GPU memory: one device buffer for K and one for V per layer, each holding
/// <see cref="Capacity"/> tokens of KvHeadCount × HeadDim elements of the requested element type.
/// </summary>
/// <remarks>
/// Keys and values cross to the host as float32 and are converted to Float16 or BFloat16 on the host
/// before the copy. Every call makes the pool's context current first, because the driver binds
/// contexts to threads and the runtime may call from any thread.
/// </remarks>
public sealed class CudaKvPool : IKvPool
{
    private readonly CudaDriver _driver;
    private readonly IntPtr _context;
    private readonly KvPoolRequest _request;
    private readonly KvSlotAllocator _slots;
    private readonly ulong[] _keys;
    private readonly ulong[] _values;
    private readonly int _elementsPerToken;
    private readonly int _bytesPerTokenPerLayer;
    private int _disposed;

    private CudaKvPool(CudaDriver driver, IntPtr context, KvPoolRequest request, int capacity, ulong[] keys, ulong[] values)
    {
        _driver = driver;
        _context = context;
        _request = request;
        _keys = keys;
        _values = values;
        _slots = new KvSlotAllocator(capacity);
        _elementsPerToken = request.KvHeadCount * request.HeadDim;
        _bytesPerTokenPerLayer = _elementsPerToken * KvPoolRequest.ElementSize(request.DataType);
    }

    /// <inheritdoc />
    public string Location => "device";

    /// <inheritdoc />
    public int Capacity => _slots.Capacity;

    /// <inheritdoc />
    public int FreeSlots => _slots.FreeCount;

    /// <inheritdoc />
    public long SizeBytes => (long)Capacity * _request.BytesPerToken;

    /// <summary>The element type the device buffers hold.</summary>
    public KvCacheDataType DataType => _request.DataType;

    /// <inheritdoc />
    public int[] Allocate(int count)
    {
        ThrowIfDisposed();
        if (!_slots.TryAllocate(count, out var slots))
        {
            throw new KvPoolExhaustedException(
                $"The CUDA KV pool has {_slots.FreeCount} free token slot(s) of {Capacity} but {count} were requested. " +
                "Free finished sequences first, or give the pool more room (raise MemFractionStatic or MaxTokens).");
        }

        return slots!;
    }

    /// <inheritdoc />
    public void Free(ReadOnlySpan<int> slots)
    {
        ThrowIfDisposed();
        _slots.Free(slots);
    }

    /// <inheritdoc />
    public void Write(int layer, int slot, ReadOnlySpan<float> key, ReadOnlySpan<float> value)
    {
        CheckAccess(layer, slot, key.Length, value.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(_bytesPerTokenPerLayer);
        try
        {
            var bytes = buffer.AsSpan(0, _bytesPerTokenPerLayer);
            _driver.SetCurrent(_context);
            KvElementCodec.Encode(key, bytes, _request.DataType);
            _driver.CopyToDevice(Address(_keys, layer, slot), bytes);
            KvElementCodec.Encode(value, bytes, _request.DataType);
            _driver.CopyToDevice(Address(_values, layer, slot), bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Read(int layer, int slot, Span<float> key, Span<float> value)
    {
        CheckAccess(layer, slot, key.Length, value.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(_bytesPerTokenPerLayer);
        try
        {
            var bytes = buffer.AsSpan(0, _bytesPerTokenPerLayer);
            _driver.SetCurrent(_context);
            _driver.CopyToHost(bytes, Address(_keys, layer, slot));
            KvElementCodec.Decode(bytes, key, _request.DataType);
            _driver.CopyToHost(bytes, Address(_values, layer, slot));
            KvElementCodec.Decode(bytes, value, _request.DataType);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Frees the device buffers (cuMemFree). Safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _driver.SetCurrent(_context);
        FreeAll(_driver, _keys.Concat(_values));
    }

    /// <summary>Allocates the pool on the device whose primary context is <paramref name="context"/>.</summary>
    internal static CudaKvPool Create(CudaDriver driver, IntPtr context, KvPoolRequest request)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.LayerCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.KvHeadCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(request.HeadDim);
        driver.SetCurrent(context);
        var capacity = request.MaxTokens ?? CapacityFromFreeMemory(driver, request);
        if (capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(request), capacity, "A KV pool needs at least one token slot.");
        }

        var bytesPerLayer = (long)capacity * request.KvHeadCount * request.HeadDim * KvPoolRequest.ElementSize(request.DataType);
        var keys = new ulong[request.LayerCount];
        var values = new ulong[request.LayerCount];
        var allocated = new List<ulong>(2 * request.LayerCount);
        for (var layer = 0; layer < request.LayerCount; layer++)
        {
            foreach (var target in new[] { keys, values })
            {
                var result = driver.TryAllocate(bytesPerLayer, out var pointer);
                if (result != CudaDriver.Success)
                {
                    FreeAll(driver, allocated);
                    throw new CudaException(result,
                        $"cuMemAlloc of {bytesPerLayer} bytes for layer {layer} of a {capacity}-token KV pool failed: {driver.Describe(result)}. " +
                        "Lower MaxTokens or MemFractionStatic, or free GPU memory held by other processes (nvidia-smi lists them).");
                }

                target[layer] = pointer;
                allocated.Add(pointer);
            }
        }

        return new CudaKvPool(driver, context, request, capacity, keys, values);
    }

    private static int CapacityFromFreeMemory(CudaDriver driver, KvPoolRequest request)
    {
        if (request.MemFractionStatic is not (> 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(request), request.MemFractionStatic, "MemFractionStatic must be in (0, 1].");
        }

        var (free, _) = driver.GetMemoryInfo();
        var tokens = Math.Floor(free * request.MemFractionStatic / request.BytesPerToken);
        if (tokens < 1)
        {
            throw new CudaException(
                $"The GPU has {free} bytes free; {request.MemFractionStatic:P0} of that holds no token of {request.BytesPerToken} bytes. " +
                "Free GPU memory, raise MemFractionStatic, or set MaxTokens.");
        }

        return (int)Math.Min(tokens, int.MaxValue);
    }

    private static void FreeAll(CudaDriver driver, IEnumerable<ulong> pointers)
    {
        foreach (var pointer in pointers)
        {
            driver.Free(pointer);
        }
    }

    private ulong Address(ulong[] buffers, int layer, int slot) => buffers[layer] + ((ulong)slot * (ulong)_bytesPerTokenPerLayer);

    private void CheckAccess(int layer, int slot, int keyLength, int valueLength)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, _request.LayerCount);
        if (!_slots.IsAllocated(slot))
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "The slot is not allocated in this pool; call Allocate first.");
        }

        if (keyLength != _elementsPerToken || valueLength != _elementsPerToken)
        {
            throw new ArgumentException($"Key and value must each hold KvHeadCount × HeadDim = {_elementsPerToken} elements (got {keyLength} and {valueLength}).");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
