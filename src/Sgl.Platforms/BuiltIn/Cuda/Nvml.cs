using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The NVIDIA Management Library (<c>libnvidia-ml.so.1</c>), bound by function pointer so nothing is
/// resolved until the library is known to load. NVML reads device facts without creating a CUDA context,
/// which is why the probe may use it and must never use libcuda.
/// </summary>
/// <remarks>Struct layouts and buffer sizes follow NVIDIA's <c>nvml.h</c> (nvmlMemory_t, nvmlPciInfo_t).</remarks>
internal sealed unsafe class Nvml : IDisposable
{
    /// <summary>The library the driver installs; found by the normal loader search.</summary>
    public const string DefaultLibraryName = "libnvidia-ml.so.1";

    /// <summary>NVML_SUCCESS.</summary>
    public const int Success = 0;

    // nvml.h: NVML_DEVICE_NAME_V2_BUFFER_SIZE, NVML_DEVICE_UUID_V2_BUFFER_SIZE, NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE.
    private const int NameBufferSize = 96;
    private const int UuidBufferSize = 96;
    private const int DriverVersionBufferSize = 80;

    private readonly IntPtr _library;
    private readonly delegate* unmanaged<int> _init;
    private readonly delegate* unmanaged<int> _shutdown;
    private readonly delegate* unmanaged<byte*, uint, int> _systemGetDriverVersion;
    private readonly delegate* unmanaged<uint*, int> _deviceGetCount;
    private readonly delegate* unmanaged<uint, IntPtr*, int> _deviceGetHandleByIndex;
    private readonly delegate* unmanaged<IntPtr, byte*, uint, int> _deviceGetName;
    private readonly delegate* unmanaged<IntPtr, byte*, uint, int> _deviceGetUuid;
    private readonly delegate* unmanaged<IntPtr, NvmlMemory*, int> _deviceGetMemoryInfo;
    private readonly delegate* unmanaged<IntPtr, int*, int*, int> _deviceGetCudaComputeCapability;
    private readonly delegate* unmanaged<IntPtr, NvmlPciInfo*, int> _deviceGetPciInfo;
    private readonly delegate* unmanaged<int, byte*> _errorString;
    private bool _initialized;

    private Nvml(IntPtr library)
    {
        _library = library;
        _init = (delegate* unmanaged<int>)Export("nvmlInit_v2");
        _shutdown = (delegate* unmanaged<int>)Export("nvmlShutdown");
        _systemGetDriverVersion = (delegate* unmanaged<byte*, uint, int>)Export("nvmlSystemGetDriverVersion");
        _deviceGetCount = (delegate* unmanaged<uint*, int>)Export("nvmlDeviceGetCount_v2");
        _deviceGetHandleByIndex = (delegate* unmanaged<uint, IntPtr*, int>)Export("nvmlDeviceGetHandleByIndex_v2");
        _deviceGetName = (delegate* unmanaged<IntPtr, byte*, uint, int>)Export("nvmlDeviceGetName");
        _deviceGetUuid = (delegate* unmanaged<IntPtr, byte*, uint, int>)Export("nvmlDeviceGetUUID");
        _deviceGetMemoryInfo = (delegate* unmanaged<IntPtr, NvmlMemory*, int>)Export("nvmlDeviceGetMemoryInfo");
        _deviceGetCudaComputeCapability = (delegate* unmanaged<IntPtr, int*, int*, int>)Export("nvmlDeviceGetCudaComputeCapability");
        _deviceGetPciInfo = (delegate* unmanaged<IntPtr, NvmlPciInfo*, int>)Export("nvmlDeviceGetPciInfo_v3");
        _errorString = (delegate* unmanaged<int, byte*>)Export("nvmlErrorString");
    }

    /// <summary>
    /// Loads NVML by <paramref name="libraryNameOrPath"/> (a name uses the loader search; tests pass an
    /// absolute path to a shim). Does not initialise it.
    /// </summary>
    /// <param name="libraryNameOrPath">Normally <see cref="DefaultLibraryName"/>.</param>
    /// <param name="nvml">The binding, or null.</param>
    /// <param name="error">Why it could not be loaded, or null.</param>
    public static bool TryLoad(string libraryNameOrPath, [NotNullWhen(true)] out Nvml? nvml, [NotNullWhen(false)] out string? error)
    {
        nvml = null;
        error = null;
        if (!NativeLibrary.TryLoad(libraryNameOrPath, out var handle))
        {
            error = $"{libraryNameOrPath} could not be loaded";
            return false;
        }

        try
        {
            nvml = new Nvml(handle);
            return true;
        }
        catch (EntryPointNotFoundException e)
        {
            NativeLibrary.Free(handle);
            error = $"{libraryNameOrPath} loaded but is missing {e.Message}; the NVIDIA driver is too old or the library is not NVML";
            return false;
        }
    }

    /// <summary>nvmlInit_v2; pairs with the shutdown in <see cref="Dispose"/>.</summary>
    public int Initialize()
    {
        var result = _init();
        _initialized = result == Success;
        return result;
    }

    /// <summary>nvmlSystemGetDriverVersion.</summary>
    public int GetDriverVersion(out string? version)
    {
        var buffer = stackalloc byte[DriverVersionBufferSize];
        var result = _systemGetDriverVersion(buffer, DriverVersionBufferSize);
        version = result == Success ? ReadString(buffer, DriverVersionBufferSize) : null;
        return result;
    }

    /// <summary>nvmlDeviceGetCount_v2.</summary>
    public int GetDeviceCount(out int count)
    {
        uint n;
        var result = _deviceGetCount(&n);
        count = result == Success ? checked((int)n) : 0;
        return result;
    }

    /// <summary>nvmlDeviceGetHandleByIndex_v2.</summary>
    public int GetDeviceHandle(int index, out IntPtr device)
    {
        IntPtr handle;
        var result = _deviceGetHandleByIndex(checked((uint)index), &handle);
        device = handle;
        return result;
    }

    /// <summary>nvmlDeviceGetName.</summary>
    public int GetName(IntPtr device, out string? name)
    {
        var buffer = stackalloc byte[NameBufferSize];
        var result = _deviceGetName(device, buffer, NameBufferSize);
        name = result == Success ? ReadString(buffer, NameBufferSize) : null;
        return result;
    }

    /// <summary>nvmlDeviceGetUUID.</summary>
    public int GetUuid(IntPtr device, out string? uuid)
    {
        var buffer = stackalloc byte[UuidBufferSize];
        var result = _deviceGetUuid(device, buffer, UuidBufferSize);
        uuid = result == Success ? ReadString(buffer, UuidBufferSize) : null;
        return result;
    }

    /// <summary>nvmlDeviceGetMemoryInfo (total, free, used in bytes).</summary>
    public int GetMemoryInfo(IntPtr device, out NvmlMemory memory)
    {
        NvmlMemory m;
        var result = _deviceGetMemoryInfo(device, &m);
        memory = m;
        return result;
    }

    /// <summary>nvmlDeviceGetCudaComputeCapability.</summary>
    public int GetCudaComputeCapability(IntPtr device, out int major, out int minor)
    {
        int ma, mi;
        var result = _deviceGetCudaComputeCapability(device, &ma, &mi);
        major = ma;
        minor = mi;
        return result;
    }

    /// <summary>nvmlDeviceGetPciInfo_v3, returning the bus id (domain:bus:device.function).</summary>
    public int GetPciBusId(IntPtr device, out string? busId)
    {
        NvmlPciInfo info;
        var result = _deviceGetPciInfo(device, &info);
        busId = result == Success ? ReadString(info.BusId, NvmlPciInfo.BusIdSize) : null;
        return result;
    }

    /// <summary>nvmlErrorString, with the numeric code so a user can look it up.</summary>
    public string Describe(int result)
    {
        var text = _errorString(result);
        var message = text is null ? null : Marshal.PtrToStringUTF8((IntPtr)text);
        return string.IsNullOrEmpty(message) ? $"NVML error {result}" : $"{message} (NVML error {result})";
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_initialized)
        {
            _shutdown();
            _initialized = false;
        }

        NativeLibrary.Free(_library);
    }

    private IntPtr Export(string name) => NativeLibrary.GetExport(_library, name);

    private static string ReadString(byte* buffer, int size)
    {
        var span = new ReadOnlySpan<byte>(buffer, size);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }
}
