using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Sgl.Platform.Musa.Mtml;

/// <summary>
/// A minimal binding of MTML, the Moore Threads management library (<c>libmtml.so</c>), used only to
/// read device names, UUIDs, PCI addresses, memory and the driver version during a probe.
/// </summary>
/// <remarks>
/// <para>The signatures follow <c>mtml.h</c> of MTML 2.2.0 as published with Moore Threads' Python
/// bindings (mthreads-ml-py): every function returns <c>MtmlReturn</c> (0 is <c>MTML_SUCCESS</c>) and
/// takes opaque pointers, for example
/// <c>MtmlReturn mtmlLibraryInitDeviceByIndex(const MtmlLibrary *lib, unsigned int index, MtmlDevice **dev)</c>.
/// They have not been run against a real driver here; the tests exercise them through a C shim that
/// implements the same signatures.</para>
/// <para>The library is found by the normal loader search (LD_LIBRARY_PATH, then the system), or from an
/// explicit path: glibc reads LD_LIBRARY_PATH only at process start, so tests pass the shim's path.</para>
/// <para>Symbols are resolved with <see cref="NativeLibrary.TryGetExport(IntPtr, string, out IntPtr)"/>
/// so that an older MTML missing an optional function still yields what it has.</para>
/// </remarks>
internal sealed unsafe class MtmlLibrary : IDisposable
{
    /// <summary>The library's file name on Linux, as the MTML SDK and its Python bindings load it.</summary>
    internal const string DefaultLibraryName = "libmtml.so";

    private const int Success = 0;
    private const int NameBufferSize = 32;        // MTML_DEVICE_NAME_BUFFER_SIZE
    private const int UuidBufferSize = 48;        // MTML_DEVICE_UUID_BUFFER_SIZE
    private const int DriverVersionBufferSize = 80; // MTML_DRIVER_VERSION_BUFFER_SIZE
    private const int PciSbdfBufferSize = 32;     // MTML_DEVICE_PCI_SBDF_BUFFER_SIZE, the first field of MtmlPciInfo

    // sizeof(MtmlPciInfo) is 104 bytes in MTML 2.2.0; a larger buffer keeps a newer, grown struct from overrunning.
    private const int PciInfoBufferSize = 512;

    private readonly IntPtr _module;
    private readonly IntPtr _library;
    private readonly delegate* unmanaged<IntPtr, int> _shutDown;
    private readonly delegate* unmanaged<IntPtr, uint*, int> _countDevice;
    private readonly delegate* unmanaged<IntPtr, uint, IntPtr*, int> _initDeviceByIndex;
    private readonly delegate* unmanaged<IntPtr, byte*, uint, int> _deviceGetName;
    private readonly delegate* unmanaged<IntPtr, byte*, uint, int> _deviceGetUuid;
    private readonly delegate* unmanaged<IntPtr, byte*, int> _deviceGetPciInfo;
    private readonly delegate* unmanaged<IntPtr, IntPtr*, int> _deviceInitMemory;
    private readonly delegate* unmanaged<IntPtr, int> _deviceFreeMemory;
    private readonly delegate* unmanaged<IntPtr, ulong*, int> _memoryGetTotal;
    private readonly delegate* unmanaged<IntPtr, IntPtr*, int> _libraryInitSystem;
    private readonly delegate* unmanaged<IntPtr, int> _libraryFreeSystem;
    private readonly delegate* unmanaged<IntPtr, byte*, uint, int> _systemGetDriverVersion;
    private bool _disposed;

    private MtmlLibrary(IntPtr module, IntPtr library)
    {
        _module = module;
        _library = library;
        _shutDown = (delegate* unmanaged<IntPtr, int>)Export(module, "mtmlLibraryShutDown");
        _countDevice = (delegate* unmanaged<IntPtr, uint*, int>)Export(module, "mtmlLibraryCountDevice");
        _initDeviceByIndex = (delegate* unmanaged<IntPtr, uint, IntPtr*, int>)Export(module, "mtmlLibraryInitDeviceByIndex");
        _deviceGetName = (delegate* unmanaged<IntPtr, byte*, uint, int>)Export(module, "mtmlDeviceGetName");
        _deviceGetUuid = (delegate* unmanaged<IntPtr, byte*, uint, int>)Export(module, "mtmlDeviceGetUUID");
        _deviceGetPciInfo = (delegate* unmanaged<IntPtr, byte*, int>)Export(module, "mtmlDeviceGetPciInfo");
        _deviceInitMemory = (delegate* unmanaged<IntPtr, IntPtr*, int>)Export(module, "mtmlDeviceInitMemory");
        _deviceFreeMemory = (delegate* unmanaged<IntPtr, int>)Export(module, "mtmlDeviceFreeMemory");
        _memoryGetTotal = (delegate* unmanaged<IntPtr, ulong*, int>)Export(module, "mtmlMemoryGetTotal");
        _libraryInitSystem = (delegate* unmanaged<IntPtr, IntPtr*, int>)Export(module, "mtmlLibraryInitSystem");
        _libraryFreeSystem = (delegate* unmanaged<IntPtr, int>)Export(module, "mtmlLibraryFreeSystem");
        _systemGetDriverVersion = (delegate* unmanaged<IntPtr, byte*, uint, int>)Export(module, "mtmlSystemGetDriverVersion");
    }

    /// <summary>Loads MTML and initialises its library object.</summary>
    /// <param name="libraryPath">A file name for the loader search, or a full path.</param>
    /// <param name="failure">Why MTML is not usable, when this returns null.</param>
    /// <returns>The open library, or null.</returns>
    public static MtmlLibrary? TryOpen(string libraryPath, out string? failure)
    {
        ArgumentException.ThrowIfNullOrEmpty(libraryPath);
        if (!NativeLibrary.TryLoad(libraryPath, out var module))
        {
            failure = $"{libraryPath} was not found by the loader (install the MUSA driver's MTML, or add its folder to LD_LIBRARY_PATH)";
            return null;
        }

        var init = (delegate* unmanaged<IntPtr*, int>)Export(module, "mtmlLibraryInit");
        string[] required = ["mtmlLibraryShutDown", "mtmlLibraryCountDevice", "mtmlLibraryInitDeviceByIndex"];
        var missing = required.Where(name => !NativeLibrary.TryGetExport(module, name, out _)).ToList();
        if (init is null)
        {
            missing.Insert(0, "mtmlLibraryInit");
        }

        if (missing.Count > 0)
        {
            NativeLibrary.Free(module);
            failure = $"{libraryPath} does not export {string.Join(", ", missing)}; it is not a usable MTML";
            return null;
        }

        IntPtr library;
        var code = init(&library);
        if (code != Success || library == IntPtr.Zero)
        {
            NativeLibrary.Free(module);
            failure = $"mtmlLibraryInit failed with {Describe(code)}";
            return null;
        }

        failure = null;
        return new MtmlLibrary(module, library);
    }

    /// <summary>The devices MTML reports, in its order.</summary>
    /// <exception cref="MtmlException">MTML failed to count or open a device.</exception>
    public IReadOnlyList<MtmlDevice> GetDevices()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        uint count;
        Check(_countDevice(_library, &count), "mtmlLibraryCountDevice");

        var driverVersion = ReadDriverVersion();
        var devices = new List<MtmlDevice>((int)count);
        for (uint index = 0; index < count; index++)
        {
            IntPtr device;
            Check(_initDeviceByIndex(_library, index, &device), "mtmlLibraryInitDeviceByIndex");
            devices.Add(new MtmlDevice(
                (int)index,
                ReadString(_deviceGetName, device, NameBufferSize),
                ReadString(_deviceGetUuid, device, UuidBufferSize),
                ReadPciBusId(device),
                ReadTotalMemory(device),
                driverVersion));
        }

        return devices;
    }

    /// <summary>Shuts MTML down and unloads it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _shutDown(_library);
        NativeLibrary.Free(_module);
    }

    private static IntPtr Export(IntPtr module, string name) =>
        NativeLibrary.TryGetExport(module, name, out var address) ? address : IntPtr.Zero;

    private static void Check(int code, string function)
    {
        if (code != Success)
        {
            throw new MtmlException($"{function} failed with {Describe(code)}");
        }
    }

    private static string Describe(int code) => code switch
    {
        1 => "MTML_ERROR_DRIVER_NOT_LOADED (the Moore Threads kernel driver is not loaded)",
        2 => "MTML_ERROR_DRIVER_FAILURE (access to the driver failed)",
        3 => "MTML_ERROR_INVALID_ARGUMENT",
        4 => "MTML_ERROR_NOT_SUPPORTED",
        5 => "MTML_ERROR_NO_PERMISSION (the user may not open the device; check the video group)",
        6 => "MTML_ERROR_INSUFFICIENT_SIZE",
        7 => "MTML_ERROR_NOT_FOUND",
        8 => "MTML_ERROR_INSUFFICIENT_MEMORY",
        9 => "MTML_ERROR_DRIVER_TOO_OLD",
        10 => "MTML_ERROR_DRIVER_TOO_NEW",
        11 => "MTML_ERROR_TIMEOUT",
        12 => "MTML_ERROR_RESOURCE_IS_BUSY",
        _ => string.Create(CultureInfo.InvariantCulture, $"MTML error {code}"),
    };

    private static string? ReadString(delegate* unmanaged<IntPtr, byte*, uint, int> function, IntPtr handle, int size)
    {
        if (function is null)
        {
            return null;
        }

        var buffer = stackalloc byte[size];
        new Span<byte>(buffer, size).Clear();
        return function(handle, buffer, (uint)size) == Success ? Terminated(new ReadOnlySpan<byte>(buffer, size)) : null;
    }

    private static string? Terminated(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        var text = Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]).Trim();
        return text.Length == 0 ? null : text;
    }

    private string? ReadPciBusId(IntPtr device)
    {
        if (_deviceGetPciInfo is null)
        {
            return null;
        }

        var buffer = stackalloc byte[PciInfoBufferSize];
        new Span<byte>(buffer, PciInfoBufferSize).Clear();
        return _deviceGetPciInfo(device, buffer) == Success ? Terminated(new ReadOnlySpan<byte>(buffer, PciSbdfBufferSize)) : null;
    }

    private long? ReadTotalMemory(IntPtr device)
    {
        if (_deviceInitMemory is null || _memoryGetTotal is null)
        {
            return null;
        }

        IntPtr memory;
        if (_deviceInitMemory(device, &memory) != Success || memory == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            ulong total;
            return _memoryGetTotal(memory, &total) == Success ? (long)total : null;
        }
        finally
        {
            if (_deviceFreeMemory is not null)
            {
                _deviceFreeMemory(memory);
            }
        }
    }

    private string? ReadDriverVersion()
    {
        if (_libraryInitSystem is null || _systemGetDriverVersion is null)
        {
            return null;
        }

        IntPtr system;
        if (_libraryInitSystem(_library, &system) != Success || system == IntPtr.Zero)
        {
            return null;
        }

        try
        {
            return ReadString(_systemGetDriverVersion, system, DriverVersionBufferSize);
        }
        finally
        {
            if (_libraryFreeSystem is not null)
            {
                _libraryFreeSystem(system);
            }
        }
    }
}
