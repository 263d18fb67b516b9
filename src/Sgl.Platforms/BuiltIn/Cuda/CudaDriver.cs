using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The CUDA driver API (<c>libcuda.so.1</c>), bound by function pointer. This is the only place the host
/// loads libcuda, and only opening a cuda device reaches it, never the probe.
/// </summary>
/// <remarks>
/// Entry points are the exported names <c>cuda.h</c> maps the API to (the <c>_v2</c> ones where it does);
/// CUdevice is an int, contexts, streams, modules, functions and graphs are pointers, CUdeviceptr is 64 bits.
/// Every call's result is checked by the caller through <see cref="Check(int, string)"/>, which names the call.
/// </remarks>
internal sealed unsafe class CudaDriver
{
    /// <summary>The library the NVIDIA driver installs; found by the normal loader search.</summary>
    public const string DefaultLibraryName = "libcuda.so.1";

    /// <summary>CUDA_SUCCESS.</summary>
    public const int Success = 0;

    /// <summary>CUDA_ERROR_OUT_OF_MEMORY.</summary>
    public const int OutOfMemory = 2;

    private const int AttributeComputeCapabilityMajor = 75;
    private const int AttributeComputeCapabilityMinor = 76;
    private const int JitInfoLogBuffer = 3;
    private const int JitInfoLogBufferSize = 4;
    private const int JitErrorLogBuffer = 5;
    private const int JitErrorLogBufferSize = 6;
    private const int StreamCaptureModeThreadLocal = 1;

    private readonly delegate* unmanaged<uint, int> _init;
    private readonly delegate* unmanaged<int*, int> _driverGetVersion;
    private readonly delegate* unmanaged<int*, int, int> _deviceGet;
    private readonly delegate* unmanaged<int*, int, int, int> _deviceGetAttribute;
    private readonly delegate* unmanaged<IntPtr*, int, int> _primaryCtxRetain;
    private readonly delegate* unmanaged<int, int> _primaryCtxRelease;
    private readonly delegate* unmanaged<IntPtr, int> _ctxSetCurrent;
    private readonly delegate* unmanaged<int, byte**, int> _getErrorString;
    private readonly delegate* unmanaged<int, byte**, int> _getErrorName;
    private readonly delegate* unmanaged<nuint*, nuint*, int> _memGetInfo;
    private readonly delegate* unmanaged<ulong*, nuint, int> _memAlloc;
    private readonly delegate* unmanaged<ulong, int> _memFree;
    private readonly delegate* unmanaged<void**, nuint, int> _memAllocHost;
    private readonly delegate* unmanaged<void*, int> _memFreeHost;
    private readonly delegate* unmanaged<ulong, void*, nuint, int> _memcpyHtoD;
    private readonly delegate* unmanaged<void*, ulong, nuint, int> _memcpyDtoH;
    private readonly delegate* unmanaged<ulong, void*, nuint, IntPtr, int> _memcpyHtoDAsync;
    private readonly delegate* unmanaged<void*, ulong, nuint, IntPtr, int> _memcpyDtoHAsync;
    private readonly delegate* unmanaged<IntPtr*, uint, int> _streamCreate;
    private readonly delegate* unmanaged<IntPtr, int> _streamDestroy;
    private readonly delegate* unmanaged<IntPtr, int> _streamSynchronize;
    private readonly delegate* unmanaged<IntPtr*, void*, uint, int*, void**, int> _moduleLoadDataEx;
    private readonly delegate* unmanaged<IntPtr, int> _moduleUnload;
    private readonly delegate* unmanaged<IntPtr*, IntPtr, byte*, int> _moduleGetFunction;
    private readonly delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int> _launchKernel;
    private readonly delegate* unmanaged<IntPtr, int, int> _streamBeginCapture;
    private readonly delegate* unmanaged<IntPtr, IntPtr*, int> _streamEndCapture;
    private readonly delegate* unmanaged<IntPtr*, IntPtr, ulong, int> _graphInstantiate;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int> _graphLaunch;
    private readonly delegate* unmanaged<IntPtr, int> _graphExecDestroy;
    private readonly delegate* unmanaged<IntPtr, int> _graphDestroy;

    private CudaDriver(IntPtr library)
    {
        _init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(library, "cuInit");
        _driverGetVersion = (delegate* unmanaged<int*, int>)NativeLibrary.GetExport(library, "cuDriverGetVersion");
        _deviceGet = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(library, "cuDeviceGet");
        _deviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)NativeLibrary.GetExport(library, "cuDeviceGetAttribute");
        _primaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)NativeLibrary.GetExport(library, "cuDevicePrimaryCtxRetain");
        _primaryCtxRelease = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(library, "cuDevicePrimaryCtxRelease_v2");
        _ctxSetCurrent = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "cuCtxSetCurrent");
        _getErrorString = (delegate* unmanaged<int, byte**, int>)NativeLibrary.GetExport(library, "cuGetErrorString");
        _getErrorName = (delegate* unmanaged<int, byte**, int>)NativeLibrary.GetExport(library, "cuGetErrorName");
        _memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)NativeLibrary.GetExport(library, "cuMemGetInfo_v2");
        _memAlloc = (delegate* unmanaged<ulong*, nuint, int>)NativeLibrary.GetExport(library, "cuMemAlloc_v2");
        _memFree = (delegate* unmanaged<ulong, int>)NativeLibrary.GetExport(library, "cuMemFree_v2");
        _memAllocHost = (delegate* unmanaged<void**, nuint, int>)NativeLibrary.GetExport(library, "cuMemAllocHost_v2");
        _memFreeHost = (delegate* unmanaged<void*, int>)NativeLibrary.GetExport(library, "cuMemFreeHost");
        _memcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, int>)NativeLibrary.GetExport(library, "cuMemcpyHtoD_v2");
        _memcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)NativeLibrary.GetExport(library, "cuMemcpyDtoH_v2");
        _memcpyHtoDAsync = (delegate* unmanaged<ulong, void*, nuint, IntPtr, int>)NativeLibrary.GetExport(library, "cuMemcpyHtoDAsync_v2");
        _memcpyDtoHAsync = (delegate* unmanaged<void*, ulong, nuint, IntPtr, int>)NativeLibrary.GetExport(library, "cuMemcpyDtoHAsync_v2");
        _streamCreate = (delegate* unmanaged<IntPtr*, uint, int>)NativeLibrary.GetExport(library, "cuStreamCreate");
        _streamDestroy = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "cuStreamDestroy_v2");
        _streamSynchronize = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "cuStreamSynchronize");
        _moduleLoadDataEx = (delegate* unmanaged<IntPtr*, void*, uint, int*, void**, int>)NativeLibrary.GetExport(library, "cuModuleLoadDataEx");
        _moduleUnload = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "cuModuleUnload");
        _moduleGetFunction = (delegate* unmanaged<IntPtr*, IntPtr, byte*, int>)NativeLibrary.GetExport(library, "cuModuleGetFunction");
        _launchKernel = (delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int>)NativeLibrary.GetExport(library, "cuLaunchKernel");
        _streamBeginCapture = (delegate* unmanaged<IntPtr, int, int>)NativeLibrary.GetExport(library, "cuStreamBeginCapture_v2");
        _streamEndCapture = (delegate* unmanaged<IntPtr, IntPtr*, int>)NativeLibrary.GetExport(library, "cuStreamEndCapture");
        _graphInstantiate = (delegate* unmanaged<IntPtr*, IntPtr, ulong, int>)NativeLibrary.GetExport(library, "cuGraphInstantiateWithFlags");
        _graphLaunch = (delegate* unmanaged<IntPtr, IntPtr, int>)NativeLibrary.GetExport(library, "cuGraphLaunch");
        _graphExecDestroy = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "cuGraphExecDestroy");
        _graphDestroy = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "cuGraphDestroy");
    }

    /// <summary>Loads the driver library; the handle stays loaded for the life of the process, as the driver must.</summary>
    /// <param name="libraryNameOrPath">Normally <see cref="DefaultLibraryName"/>; tests pass a shim's path.</param>
    /// <param name="driver">The binding, or null.</param>
    /// <param name="error">Why it could not be loaded, or null.</param>
    public static bool TryLoad(string libraryNameOrPath, [NotNullWhen(true)] out CudaDriver? driver, [NotNullWhen(false)] out string? error)
    {
        driver = null;
        if (!NativeLibrary.TryLoad(libraryNameOrPath, out var handle))
        {
            error = $"{libraryNameOrPath} could not be loaded";
            return false;
        }

        try
        {
            driver = new CudaDriver(handle);
            error = null;
            return true;
        }
        catch (EntryPointNotFoundException e)
        {
            NativeLibrary.Free(handle);
            error = $"{libraryNameOrPath} loaded but lacks {e.Message}; the NVIDIA driver is too old (CUDA graphs need driver r470 or newer)";
            return false;
        }
    }

    /// <summary>cuInit(0).</summary>
    public void Initialize() => Check(_init(0), "cuInit");

    /// <summary>cuDriverGetVersion: the CUDA version the driver supports, as 1000 × major + 10 × minor (12040 is 12.4).</summary>
    public int DriverVersion()
    {
        int version;
        return _driverGetVersion(&version) == Success ? version : 0;
    }

    /// <summary>cuDeviceGet, then cuDevicePrimaryCtxRetain: the device's primary context, shared with any CUDA library in the process.</summary>
    /// <param name="ordinal">The CUDA device ordinal (after CUDA_VISIBLE_DEVICES).</param>
    public IntPtr RetainPrimaryContext(int ordinal)
    {
        int device;
        Check(_deviceGet(&device, ordinal), $"cuDeviceGet({ordinal})");
        IntPtr context;
        Check(_primaryCtxRetain(&context, device), $"cuDevicePrimaryCtxRetain({ordinal})");
        return context;
    }

    /// <summary>cuDevicePrimaryCtxRelease: gives back one retain of the device's primary context.</summary>
    /// <param name="ordinal">The CUDA device ordinal.</param>
    public int ReleasePrimaryContext(int ordinal) => _primaryCtxRelease(ordinal);

    /// <summary>The device's compute capability from cuDeviceGetAttribute.</summary>
    /// <param name="ordinal">The CUDA device ordinal.</param>
    public (int Major, int Minor) ComputeCapability(int ordinal)
    {
        int major, minor;
        Check(_deviceGetAttribute(&major, AttributeComputeCapabilityMajor, ordinal), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
        Check(_deviceGetAttribute(&minor, AttributeComputeCapabilityMinor, ordinal), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
        return (major, minor);
    }

    /// <summary>cuCtxSetCurrent: the driver binds contexts to threads, so every entry point sets it first.</summary>
    /// <param name="context">The context.</param>
    public void SetCurrent(IntPtr context) => Check(_ctxSetCurrent(context), "cuCtxSetCurrent");

    /// <summary>cuMemGetInfo for the current context's device.</summary>
    public (long Free, long Total) GetMemoryInfo()
    {
        nuint free, total;
        Check(_memGetInfo(&free, &total), "cuMemGetInfo");
        return ((long)free, (long)total);
    }

    /// <summary>cuMemAlloc; returns the result code so callers can turn out-of-memory into their own error.</summary>
    /// <param name="bytes">Bytes wanted.</param>
    /// <param name="pointer">The device pointer.</param>
    public int TryAllocate(long bytes, out ulong pointer)
    {
        ulong p;
        var result = _memAlloc(&p, checked((nuint)bytes));
        pointer = p;
        return result;
    }

    /// <summary>cuMemFree.</summary>
    /// <param name="pointer">A pointer from <see cref="TryAllocate(long, out ulong)"/>.</param>
    public int Free(ulong pointer) => _memFree(pointer);

    /// <summary>cuMemAllocHost: page-locked host memory, which asynchronous copies need.</summary>
    /// <param name="bytes">Bytes wanted.</param>
    public IntPtr AllocatePinned(long bytes)
    {
        void* p;
        Check(_memAllocHost(&p, checked((nuint)bytes)), $"cuMemAllocHost({bytes})");
        return (IntPtr)p;
    }

    /// <summary>cuMemFreeHost.</summary>
    /// <param name="pointer">A pointer from <see cref="AllocatePinned(long)"/>.</param>
    public int FreePinned(IntPtr pointer) => _memFreeHost((void*)pointer);

    /// <summary>cuMemcpyHtoD: synchronous, ordered after the work of blocking streams.</summary>
    public void CopyToDevice(ulong destination, void* source, long bytes) =>
        Check(_memcpyHtoD(destination, source, (nuint)bytes), "cuMemcpyHtoD");

    /// <summary>cuMemcpyDtoH: synchronous, after the work of blocking streams.</summary>
    public void CopyToHost(void* destination, ulong source, long bytes) =>
        Check(_memcpyDtoH(destination, source, (nuint)bytes), "cuMemcpyDtoH");

    /// <summary>cuMemcpyHtoDAsync from page-locked memory, in stream order.</summary>
    public void CopyToDeviceAsync(ulong destination, void* pinnedSource, long bytes, IntPtr stream) =>
        Check(_memcpyHtoDAsync(destination, pinnedSource, (nuint)bytes, stream), "cuMemcpyHtoDAsync");

    /// <summary>cuMemcpyDtoHAsync into page-locked memory, in stream order.</summary>
    public void CopyToHostAsync(void* pinnedDestination, ulong source, long bytes, IntPtr stream) =>
        Check(_memcpyDtoHAsync(pinnedDestination, source, (nuint)bytes, stream), "cuMemcpyDtoHAsync");

    /// <summary>cuStreamCreate with default (blocking) flags, so synchronous copies stay ordered with it.</summary>
    public IntPtr CreateStream()
    {
        IntPtr stream;
        Check(_streamCreate(&stream, 0), "cuStreamCreate");
        return stream;
    }

    /// <summary>cuStreamDestroy.</summary>
    public int DestroyStream(IntPtr stream) => _streamDestroy(stream);

    /// <summary>cuStreamSynchronize.</summary>
    public void Synchronize(IntPtr stream) => Check(_streamSynchronize(stream), "cuStreamSynchronize");

    /// <summary>cuModuleLoadDataEx with the JIT's error and info logs captured; returns the result and the logs.</summary>
    /// <param name="image">A NUL-terminated PTX image.</param>
    /// <param name="module">The module.</param>
    /// <param name="log">What the JIT wrote (errors first), or empty.</param>
    public int TryLoadModule(ReadOnlySpan<byte> image, out IntPtr module, out string log)
    {
        const int LogBytes = 8192;
        var errorLog = stackalloc byte[LogBytes];
        var infoLog = stackalloc byte[LogBytes];
        var options = stackalloc int[] { JitErrorLogBuffer, JitErrorLogBufferSize, JitInfoLogBuffer, JitInfoLogBufferSize };
        var values = stackalloc void*[] { errorLog, (void*)LogBytes, infoLog, (void*)LogBytes };
        errorLog[0] = 0;
        infoLog[0] = 0;
        IntPtr loaded;
        int result;
        fixed (byte* data = image)
        {
            result = _moduleLoadDataEx(&loaded, data, 4, options, values);
        }

        module = loaded;
        var error = Marshal.PtrToStringUTF8((IntPtr)errorLog)?.Trim() ?? "";
        var info = Marshal.PtrToStringUTF8((IntPtr)infoLog)?.Trim() ?? "";
        log = string.Join(" ", new[] { error, info }.Where(s => s.Length > 0));
        return result;
    }

    /// <summary>cuModuleUnload.</summary>
    public int UnloadModule(IntPtr module) => _moduleUnload(module);

    /// <summary>cuModuleGetFunction.</summary>
    public IntPtr GetFunction(IntPtr module, string name)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(name + "\0");
        IntPtr function;
        fixed (byte* n = bytes)
        {
            Check(_moduleGetFunction(&function, module, n), $"cuModuleGetFunction({name})");
        }

        return function;
    }

    /// <summary>cuLaunchKernel with no dynamic shared memory; returns the result code for the caller to name the kernel.</summary>
    public int Launch(IntPtr function, uint gridX, uint gridY, uint blockX, IntPtr stream, void** parameters) =>
        _launchKernel(function, gridX, gridY, 1, blockX, 1, 1, 0, stream, parameters, null);

    /// <summary>cuStreamBeginCapture in thread-local mode: unsafe calls of other threads do not break this capture.</summary>
    public void BeginCapture(IntPtr stream) => Check(_streamBeginCapture(stream, StreamCaptureModeThreadLocal), "cuStreamBeginCapture");

    /// <summary>cuStreamEndCapture; returns the result so a failed step can still end the capture.</summary>
    public int EndCapture(IntPtr stream, out IntPtr graph)
    {
        IntPtr g;
        var result = _streamEndCapture(stream, &g);
        graph = g;
        return result;
    }

    /// <summary>cuGraphInstantiateWithFlags.</summary>
    public IntPtr Instantiate(IntPtr graph)
    {
        IntPtr exec;
        Check(_graphInstantiate(&exec, graph, 0), "cuGraphInstantiateWithFlags");
        return exec;
    }

    /// <summary>cuGraphLaunch.</summary>
    public void LaunchGraph(IntPtr exec, IntPtr stream) => Check(_graphLaunch(exec, stream), "cuGraphLaunch");

    /// <summary>cuGraphExecDestroy.</summary>
    public int DestroyGraphExec(IntPtr exec) => _graphExecDestroy(exec);

    /// <summary>cuGraphDestroy.</summary>
    public int DestroyGraph(IntPtr graph) => _graphDestroy(graph);

    /// <summary>The driver's name and text for a result code, with the number (for example "CUDA_ERROR_OUT_OF_MEMORY: out of memory (CUresult 2)").</summary>
    /// <param name="result">A CUresult.</param>
    public string Describe(int result)
    {
        byte* text = null;
        byte* name = null;
        var message = _getErrorString(result, &text) == Success && text is not null ? Marshal.PtrToStringUTF8((IntPtr)text) : null;
        var symbol = _getErrorName(result, &name) == Success && name is not null ? Marshal.PtrToStringUTF8((IntPtr)name) : null;
        return $"{(symbol is null ? "" : symbol + ": ")}{message ?? "unknown error"} (CUresult {result})";
    }

    /// <summary>Throws <see cref="CudaException"/> unless <paramref name="result"/> is CUDA_SUCCESS.</summary>
    /// <param name="result">The CUresult.</param>
    /// <param name="call">What was called.</param>
    public void Check(int result, string call)
    {
        if (result != Success)
        {
            throw new CudaException(result, $"{call} failed: {Describe(result)}.");
        }
    }
}
