using System.Globalization;
using Sgl.Platforms.Devices;
using Kernel = Sgl.Platforms.BuiltIn.Cuda.CudaKernelModule.Kernel;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// One NVIDIA GPU opened for one rank: its primary context, one stream (the device's queue), the kernel module,
/// and page-locked staging memory so small copies are asynchronous and in stream order. Operations launch the
/// kernels of <see cref="CudaKernelModule"/> with the grid and block of the kernel ABI (docs/cuda_kernels.md).
/// Disposing it frees every buffer still allocated, the module, the staging memory and the stream, and releases
/// the context.
/// </summary>
internal sealed unsafe class CudaDevice : ComputeDevice
{
    /// <summary>Page-locked memory for copies to the device; a larger copy is synchronous.</summary>
    private const int UploadStagingBytes = 4 << 20;

    /// <summary>Page-locked memory for copies to the host; a larger copy is synchronous.</summary>
    private const int DownloadStagingBytes = 1 << 20;

    [ThreadStatic]
    private static IntPtr t_currentContext;

    private readonly CudaDriver _driver;
    private readonly IntPtr _context;
    private readonly int _ordinal;
    private readonly IntPtr _stream;
    private readonly CudaKernelModule _kernels;
    private readonly IntPtr _uploadStaging;
    private readonly IntPtr _downloadStaging;
    private readonly Action<CudaDevice> _onDisposed;
    private readonly Lock _gate = new();
    private readonly HashSet<CudaBuffer> _live = [];
    private long _uploadStagingUsed;
    private bool _capturing;

    private CudaDevice(CudaPlatform platform, string name, CudaDriver driver, int ordinal, IntPtr context, IntPtr stream, CudaKernelModule kernels, IntPtr uploadStaging, IntPtr downloadStaging, Action<CudaDevice> onDisposed)
        : base(platform, ordinal, name)
    {
        _driver = driver;
        _ordinal = ordinal;
        _context = context;
        _stream = stream;
        _kernels = kernels;
        _uploadStaging = uploadStaging;
        _downloadStaging = downloadStaging;
        _onDisposed = onDisposed;
        Queue = new CudaQueue(this);
        Capability = driver.ComputeCapability(ordinal);
    }

    /// <inheritdoc />
    public override DeviceQueue Queue { get; }

    /// <summary>The compute capability the driver reports.</summary>
    public (int Major, int Minor) Capability { get; }

    /// <summary>The device's free memory now (cuMemGetInfo).</summary>
    public long FreeMemory
    {
        get
        {
            MakeCurrent();
            return _driver.GetMemoryInfo().Free;
        }
    }

    /// <summary>The stream the device's work is enqueued on; the graph runner captures it.</summary>
    internal IntPtr Stream => _stream;

    internal CudaDriver Driver => _driver;

    /// <summary>Retains device <paramref name="ordinal"/>'s primary context and sets up the stream, staging memory and kernels; undoes what it did if a step fails.</summary>
    public static CudaDevice Open(CudaPlatform platform, CudaDriver driver, int ordinal, string name, Action<CudaDevice> onDisposed)
    {
        var context = driver.RetainPrimaryContext(ordinal);
        var stream = IntPtr.Zero;
        var upload = IntPtr.Zero;
        var download = IntPtr.Zero;
        try
        {
            driver.SetCurrent(context);
            t_currentContext = context;
            stream = driver.CreateStream();
            upload = driver.AllocatePinned(UploadStagingBytes);
            download = driver.AllocatePinned(DownloadStagingBytes);
            var kernels = CudaKernelModule.Load(driver);
            return new CudaDevice(platform, name, driver, ordinal, context, stream, kernels, upload, download, onDisposed);
        }
        catch
        {
            if (download != IntPtr.Zero)
            {
                driver.FreePinned(download);
            }

            if (upload != IntPtr.Zero)
            {
                driver.FreePinned(upload);
            }

            if (stream != IntPtr.Zero)
            {
                driver.DestroyStream(stream);
            }

            driver.ReleasePrimaryContext(ordinal);
            t_currentContext = IntPtr.Zero;
            throw;
        }
    }

    /// <summary>
    /// Every operation of the contract but the all-reduce, in float32, float16 and bfloat16; a KV write only when
    /// the cache has the batch's element type (the kernels are of one type).
    /// </summary>
    public override bool Supports(DeviceOperation operation) => base.Supports(operation) && operation switch
    {
        KvWriteOperation kv => kv.KeyCache.ElementType == kv.Qkv.ElementType,
        _ => true,
    };

    /// <summary>Starts recording the stream's work into a graph (the graph runner's capture).</summary>
    internal void BeginCapture()
    {
        MakeCurrent();
        _driver.BeginCapture(_stream);
        _capturing = true;
    }

    /// <summary>Ends the capture; the graph, or the driver's error (a step that broke the capture).</summary>
    internal IntPtr EndCapture()
    {
        _capturing = false;
        MakeCurrent();
        _driver.Check(_driver.EndCapture(_stream, out var graph), "cuStreamEndCapture");
        return graph;
    }

    /// <summary>Ends a capture that failed, dropping what it recorded.</summary>
    internal void AbandonCapture()
    {
        _capturing = false;
        MakeCurrent();
        if (_driver.EndCapture(_stream, out var graph) == CudaDriver.Success && graph != IntPtr.Zero)
        {
            _driver.DestroyGraph(graph);
        }
    }

    /// <summary>Makes the device's context current on the calling thread (the driver binds contexts to threads).</summary>
    internal void MakeCurrent()
    {
        if (t_currentContext != _context)
        {
            _driver.SetCurrent(_context);
            t_currentContext = _context;
        }
    }

    /// <summary>Frees an allocation; called once per buffer by its Dispose.</summary>
    internal void Free(CudaBuffer buffer)
    {
        lock (_gate)
        {
            if (!_live.Remove(buffer))
            {
                return;
            }
        }

        MakeCurrent();
        _driver.Free(buffer.Pointer);
    }

    /// <inheritdoc />
    protected override DeviceBuffer AllocateCore(ElementType elementType, TensorShape shape)
    {
        ThrowIfCapturing("allocate device memory");
        MakeCurrent();
        var bytes = shape.ElementCount * ElementTypes.SizeOf(elementType);
        var result = _driver.TryAllocate(bytes, out var pointer);
        if (result == CudaDriver.OutOfMemory)
        {
            var free = _driver.GetMemoryInfo().Free;
            throw new DeviceOutOfMemoryException(string.Create(CultureInfo.InvariantCulture,
                $"cuMemAlloc of {bytes} bytes ({shape} {elementType}) on {this} failed: {_driver.Describe(result)}; {free} bytes are free."))
            {
                RequestedBytes = bytes,
                FreeBytes = free,
            };
        }

        _driver.Check(result, string.Create(CultureInfo.InvariantCulture, $"cuMemAlloc({bytes})"));
        var buffer = new CudaBuffer(this, elementType, shape, pointer);
        lock (_gate)
        {
            _live.Add(buffer);
        }

        return buffer;
    }

    /// <inheritdoc />
    protected override void CopyToDeviceCore(ReadOnlySpan<byte> source, DeviceBuffer destination, long byteOffset)
    {
        ThrowIfCapturing("copy to the device");
        MakeCurrent();
        var address = CudaBuffer.AddressOf(destination) + (ulong)byteOffset;
        if (source.Length > UploadStagingBytes)
        {
            // Blocking streams order synchronous copies after their work; nothing is left in the staging memory to overwrite.
            SynchronizeStream();
            fixed (byte* s = source)
            {
                _driver.CopyToDevice(address, s, source.Length);
            }

            return;
        }

        if (_uploadStagingUsed + source.Length > UploadStagingBytes)
        {
            // Earlier copies may still read the staging memory: wait for them before reusing it.
            SynchronizeStream();
        }

        var staged = (byte*)_uploadStaging + _uploadStagingUsed;
        source.CopyTo(new Span<byte>(staged, source.Length));
        _driver.CopyToDeviceAsync(address, staged, source.Length, _stream);
        _uploadStagingUsed += (source.Length + 255) & ~255;
    }

    /// <inheritdoc />
    protected override void CopyToHostCore(DeviceBuffer source, long byteOffset, Span<byte> destination)
    {
        ThrowIfCapturing("copy to the host");
        MakeCurrent();
        var address = CudaBuffer.AddressOf(source) + (ulong)byteOffset;
        if (destination.Length > DownloadStagingBytes)
        {
            SynchronizeStream();
            fixed (byte* d = destination)
            {
                _driver.CopyToHost(d, address, destination.Length);
            }

            return;
        }

        _driver.CopyToHostAsync((void*)_downloadStaging, address, destination.Length, _stream);
        SynchronizeStream();
        new ReadOnlySpan<byte>((void*)_downloadStaging, destination.Length).CopyTo(destination);
    }

    /// <inheritdoc />
    protected override void ExecuteCore(DeviceOperation operation)
    {
        MakeCurrent();
        switch (operation)
        {
            case EmbeddingGatherOperation o:
                Launch(Kernel.EmbeddingGather, o.Table.ElementType, (uint)o.Output.Shape.Rows, 1, 256,
                    [P(o.Table), P(o.TokenIds), P(o.Output), I(o.Output.Shape.Rows), I(o.Table.Shape.Columns), I(o.Table.Shape.Rows)]);
                break;
            case RmsNormOperation o:
                Launch(Kernel.RmsNorm, o.Input.ElementType, (uint)o.Input.Shape.Rows, 1, 256,
                    [P(o.Input), P(o.Weight), P(o.Output), o.Residual is null ? 0 : P(o.Residual), I(o.Input.Shape.Rows), I(o.Input.Shape.Columns), F(o.Epsilon)]);
                break;
            case MatMulOperation o:
                Launch(Kernel.MatMul, o.Input.ElementType, Blocks(o.Weight.Shape.Rows, 8), 1, 256,
                    [P(o.Input), P(o.Weight), P(o.Output), I(o.Input.Shape.Rows), I(o.Weight.Shape.Rows), I(o.Input.Shape.Columns)]);
                break;
            case RotaryOperation o:
                Launch(Kernel.Rotary, o.Tensor.ElementType, (uint)o.Tensor.Shape.Rows, 1, 128,
                    [P(o.Tensor), P(o.Positions), P(o.CosSin), I(o.Tensor.Shape.Rows), I(o.Tensor.Shape.Columns), I(o.HeadDim), I(o.HeadCount), I(o.CosSin.Shape.Rows)]);
                break;
            case SiluMulOperation o:
                Launch(Kernel.SiluMul, o.GateUp.ElementType, Blocks(o.Output.ElementCount, 256), 1, 256,
                    [P(o.GateUp), P(o.Output), I(o.Output.Shape.Rows), I(o.Output.Shape.Columns)]);
                break;
            case AddOperation o:
                Launch(Kernel.Add, o.A.ElementType, Blocks(o.Output.ElementCount, 256), 1, 256,
                    [P(o.A), P(o.B), P(o.Output), I(o.A.Shape.Rows), I(o.A.Shape.Columns), I(o.B.Shape.Rows), F(o.ScaleA), F(o.ScaleB)]);
                break;
            case KvWriteOperation o:
                Launch(Kernel.KvWrite, o.Qkv.ElementType, (uint)o.Qkv.Shape.Rows, 1, 128,
                    [P(o.Qkv), P(o.KeyCache), P(o.ValueCache), P(o.SlotTable), P(o.Positions), I(o.Qkv.Shape.Rows), I(o.Heads.QueryHeads), I(o.Heads.KvHeads),
                        I(o.Heads.HeadDim), I(o.SlotTable.Shape.Rows), I(o.SlotTable.Shape.Columns), I(o.KeyCache.Shape.Rows)]);
                break;
            case PagedAttentionOperation o:
                Launch(Kernel.PagedAttention, o.Qkv.ElementType, (uint)o.Heads.QueryHeads, (uint)o.Qkv.Shape.Rows, 128,
                    [P(o.Qkv), P(o.KeyCache), P(o.ValueCache), P(o.SlotTable), P(o.Positions), P(o.Output), I(o.Qkv.Shape.Rows), I(o.Heads.QueryHeads), I(o.Heads.KvHeads),
                        I(o.Heads.HeadDim), I(o.SlotTable.Shape.Rows), I(o.SlotTable.Shape.Columns), I(o.KeyCache.Shape.Rows), F(o.Scale)]);
                break;
            case AttentionOperation o:
                var heads = o.Query.Shape.Columns / o.HeadDim;
                Launch(Kernel.Attention, o.Query.ElementType, (uint)heads, (uint)o.Query.Shape.Rows, 128,
                    [P(o.Query), P(o.Key), P(o.Value), P(o.Output), I(o.Query.Shape.Rows), I(heads), I(o.HeadDim), F(o.Scale)]);
                break;
            case ArgmaxOperation o:
                Launch(Kernel.Argmax, o.Logits.ElementType, (uint)o.Logits.Shape.Rows, 1, 1024,
                    [P(o.Logits), P(o.Output), I(o.Logits.Shape.Rows), I(o.Logits.Shape.Columns)]);
                break;
            case FillUniformOperation o:
                Launch(Kernel.FillUniform, o.Output.ElementType, (uint)Math.Min(Blocks(o.Output.ElementCount, 256), 65535), 1, 256,
                    [P(o.Output), (ulong)o.Output.ElementCount, o.Seed, F(o.Low), F(o.High)]);
                break;
            default:
                throw new OperationNotSupportedException($"The cuda platform has no kernel for {operation}.") { Operation = operation.Kind };
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        try
        {
            MakeCurrent();
            // Work still in flight may use the memory freed below.
            _driver.Synchronize(_stream);
        }
        catch (CudaException)
        {
            // A device in an error state still gets its resources back below.
        }

        CudaBuffer[] live;
        lock (_gate)
        {
            live = [.. _live];
            _live.Clear();
        }

        foreach (var buffer in live)
        {
            _driver.Free(buffer.Pointer);
        }

        _driver.UnloadModule(_kernels.Handle);
        _driver.FreePinned(_downloadStaging);
        _driver.FreePinned(_uploadStaging);
        _driver.DestroyStream(_stream);
        _driver.ReleasePrimaryContext(_ordinal);
        t_currentContext = IntPtr.Zero;
        _onDisposed(this);
        base.Dispose(disposing);
    }

    private static ulong P(DeviceBuffer buffer) => CudaBuffer.AddressOf(buffer);

    private static ulong I(int value) => (uint)value;

    private static ulong F(float value) => BitConverter.SingleToUInt32Bits(value);

    private static uint Blocks(long count, int perBlock) => checked((uint)((count + perBlock - 1) / perBlock));

    /// <summary>Launches a kernel: each argument sits in its own 8-byte slot, and the driver reads each parameter's size from its slot's start.</summary>
    private void Launch(Kernel kernel, ElementType elementType, uint gridX, uint gridY, uint block, ReadOnlySpan<ulong> arguments)
    {
        var parameters = stackalloc void*[arguments.Length];
        fixed (ulong* values = arguments)
        {
            for (var i = 0; i < arguments.Length; i++)
            {
                parameters[i] = values + i;
            }

            var result = _driver.Launch(_kernels.Function(kernel, elementType), gridX, gridY, block, _stream, parameters);
            if (result != CudaDriver.Success)
            {
                throw new CudaException(result, string.Create(CultureInfo.InvariantCulture,
                    $"cuLaunchKernel({CudaKernelModule.KernelName(kernel, elementType)}, grid {gridX}x{gridY}, block {block}) failed: {_driver.Describe(result)}."));
            }
        }
    }

    private void SynchronizeStream()
    {
        _driver.Synchronize(_stream);
        _uploadStagingUsed = 0;
    }

    private void ThrowIfCapturing(string what)
    {
        if (_capturing)
        {
            throw new InvalidOperationException($"Cannot {what} on {this} while a graph is being captured: a captured step may only enqueue operations.");
        }
    }

    /// <summary>The device's stream as its queue.</summary>
    private sealed class CudaQueue(CudaDevice device) : DeviceQueue(device)
    {
        /// <summary>The device's <c>CUstream</c>: contributed kernels enqueue on it, so they stay in order with the platform's work.</summary>
        public override nint NativeHandle => device.Stream;

        public override void Synchronize()
        {
            device.MakeCurrent();
            device.SynchronizeStream();
        }
    }
}
