using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The CUDA driver API (<c>libcuda.so.1</c>), bound by function pointer. This is the only place the host
/// loads libcuda, and only <see cref="CudaPlatform"/>'s device initialisation reaches it, never the probe.
/// </summary>
/// <remarks>
/// Entry points are the exported <c>_v2</c> symbols that <c>cuda.h</c> maps cuMemAlloc, cuMemFree,
/// cuMemGetInfo and cuMemcpyHtoD/DtoH to; CUdevice is an int, CUcontext a pointer, CUdeviceptr 64 bits.
/// </remarks>
internal sealed unsafe class CudaDriver
{
    /// <summary>The library the NVIDIA driver installs; found by the normal loader search.</summary>
    public const string DefaultLibraryName = "libcuda.so.1";

    /// <summary>CUDA_SUCCESS.</summary>
    public const int Success = 0;

    private readonly delegate* unmanaged<uint, int> _init;
    private readonly delegate* unmanaged<int*, int, int> _deviceGet;
    private readonly delegate* unmanaged<IntPtr*, int, int> _primaryCtxRetain;
    private readonly delegate* unmanaged<IntPtr, int> _ctxSetCurrent;
    private readonly delegate* unmanaged<int, byte**, int> _getErrorString;
    private readonly delegate* unmanaged<nuint*, nuint*, int> _memGetInfo;
    private readonly delegate* unmanaged<ulong*, nuint, int> _memAlloc;
    private readonly delegate* unmanaged<ulong, int> _memFree;
    private readonly delegate* unmanaged<ulong, void*, nuint, int> _memcpyHtoD;
    private readonly delegate* unmanaged<void*, ulong, nuint, int> _memcpyDtoH;

    private CudaDriver(IntPtr library)
    {
        _init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(library, "cuInit");
        _deviceGet = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(library, "cuDeviceGet");
        _primaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)NativeLibrary.GetExport(library, "cuDevicePrimaryCtxRetain");
        _ctxSetCurrent = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "cuCtxSetCurrent");
        _getErrorString = (delegate* unmanaged<int, byte**, int>)NativeLibrary.GetExport(library, "cuGetErrorString");
        _memGetInfo = (delegate* unmanaged<nuint*, nuint*, int>)NativeLibrary.GetExport(library, "cuMemGetInfo_v2");
        _memAlloc = (delegate* unmanaged<ulong*, nuint, int>)NativeLibrary.GetExport(library, "cuMemAlloc_v2");
        _memFree = (delegate* unmanaged<ulong, int>)NativeLibrary.GetExport(library, "cuMemFree_v2");
        _memcpyHtoD = (delegate* unmanaged<ulong, void*, nuint, int>)NativeLibrary.GetExport(library, "cuMemcpyHtoD_v2");
        _memcpyDtoH = (delegate* unmanaged<void*, ulong, nuint, int>)NativeLibrary.GetExport(library, "cuMemcpyDtoH_v2");
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
            error = $"{libraryNameOrPath} loaded but lacks {e.Message}; the NVIDIA driver is too old";
            return false;
        }
    }

    /// <summary>cuInit(0).</summary>
    public void Initialize() => Check(_init(0), "cuInit");

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

    /// <summary>cuMemAlloc; returns the result code so callers can unwind partial allocations.</summary>
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

    /// <summary>cuMemcpyHtoD.</summary>
    public void CopyToDevice(ulong destination, ReadOnlySpan<byte> source)
    {
        fixed (byte* s = source)
        {
            Check(_memcpyHtoD(destination, s, (nuint)source.Length), "cuMemcpyHtoD");
        }
    }

    /// <summary>cuMemcpyDtoH.</summary>
    public void CopyToHost(Span<byte> destination, ulong source)
    {
        fixed (byte* d = destination)
        {
            Check(_memcpyDtoH(d, source, (nuint)destination.Length), "cuMemcpyDtoH");
        }
    }

    /// <summary>The driver's name for a result code, with the number (for example "out of memory (CUDA_ERROR 2)").</summary>
    /// <param name="result">A CUresult.</param>
    public string Describe(int result)
    {
        byte* text = null;
        var message = _getErrorString(result, &text) == Success && text is not null ? Marshal.PtrToStringUTF8((IntPtr)text) : null;
        return $"{message ?? "unknown error"} (CUresult {result})";
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
