using System.Composition;
using System.Globalization;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The built-in cuda platform: NVIDIA GPUs. The probe reads NVML only; the CUDA driver is loaded by
/// opening a device (<see cref="Platform.OpenDevice(int, int)"/>) and nowhere else.
/// </summary>
[Export(typeof(Platform))]
[PlatformMetadata("cuda", Kind = PlatformEnum.Cuda, Priority = 100, Vendor = "NVIDIA")]
[HardwareMatch(PciVendor = CudaProbe.NvidiaVendorId, PciClasses = [0x03, 0x12])]
[HardwareMatch(DeviceNodes = ["nvidia*"])]
public sealed class CudaPlatform : Platform
{
    /// <summary>Every operation of the contract but the all-reduce (the communicator's).</summary>
    private static readonly OperationKind[] KernelOperations = [.. Enum.GetValues<OperationKind>().Where(k => k != OperationKind.AllReduce)];

    private readonly string _nvmlLibrary;
    private readonly string _cudaLibrary;
    private readonly string? _ncclLibrary;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, CudaDevice> _open = [];
    private CudaDriver? _driver;
    private Nccl? _nccl;

    /// <summary>Creates the platform; touches no hardware and loads no library.</summary>
    public CudaPlatform()
        : this(Nvml.DefaultLibraryName, CudaDriver.DefaultLibraryName)
    {
    }

    /// <summary>Creates the platform with other library names or paths (tests load shims this way).</summary>
    /// <param name="nvmlLibrary">The NVML library name or absolute path.</param>
    /// <param name="cudaLibrary">The CUDA driver library name or absolute path.</param>
    /// <param name="ncclLibrary">The NCCL library name or path; null reads <see cref="Nccl.LibraryVariable"/>, else the loader's <c>libnccl.so.2</c>.</param>
    internal CudaPlatform(string nvmlLibrary, string cudaLibrary = CudaDriver.DefaultLibraryName, string? ncclLibrary = null)
    {
        _nvmlLibrary = nvmlLibrary;
        _cudaLibrary = cudaLibrary;
        _ncclLibrary = ncclLibrary;
    }

    /// <inheritdoc />
    public override string DistributedBackend => "nccl";

    /// <inheritdoc />
    public override string? DeviceVisibilityEnvironmentVariable => CudaVisibleDevices.VariableName;

    /// <inheritdoc />
    /// <remarks>Reads the compute capability NVML reported for the device (for example 9.0 on an H100).</remarks>
    public override DeviceCapability? GetDeviceCapability(int deviceIndex)
    {
        var devices = Devices;
        if (deviceIndex < 0 || deviceIndex >= devices.Count || devices[deviceIndex].Capability is not { } text)
        {
            return null;
        }

        var parts = text.Split('.');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor)
            ? new DeviceCapability(major, minor)
            : null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Once the device is open this is cuMemGetInfo in its context (what the KV pool is sized from, after the
    /// weights); before, NVML reports it without creating a context.
    /// </remarks>
    public override long GetFreeMemory(int deviceIndex)
    {
        CudaDevice? open;
        lock (_lock)
        {
            _open.TryGetValue(deviceIndex, out open);
        }

        return open is { IsDisposed: false }
            ? open.FreeMemory
            : NvmlMemoryReader.ReadFree(_nvmlLibrary, DeviceUuid(deviceIndex)) ?? base.GetFreeMemory(deviceIndex);
    }

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => CudaProbe.Run(context, _nvmlLibrary);

    /// <summary>One rank per GPU; every operation of the contract in float32, float16 and bfloat16; CUDA graphs.</summary>
    /// <param name="devices">The GPUs NVML reported.</param>
    protected override PlatformCapabilities DescribeCapabilities(IReadOnlyList<DeviceInfo> devices) => new()
    {
        MaxLocalRanks = devices.Count,
        Operations = KernelOperations.ToHashSet(),
        ElementTypes = new HashSet<ElementType> { ElementType.Float32, ElementType.Float16, ElementType.BFloat16 },
        KvElementTypes = new HashSet<ElementType> { ElementType.Float32, ElementType.Float16, ElementType.BFloat16 },
        GraphCapture = true,
    };

    /// <inheritdoc />
    /// <remarks>
    /// Loads libcuda (the only place it is loaded), calls cuInit, retains the GPU's primary context, creates a
    /// stream and loads the kernels (the driver compiles their PTX for this GPU).
    /// </remarks>
    /// <exception cref="CudaException">The driver could not be loaded, a driver call failed or the kernels did not load; the message says which and why.</exception>
    protected override ComputeDevice OpenDeviceCore(int rank, int deviceIndex)
    {
        lock (_lock)
        {
            var driver = LoadDriver();
            var devices = Devices;
            var name = deviceIndex < devices.Count ? devices[deviceIndex].Name : "NVIDIA GPU";
            try
            {
                var device = CudaDevice.Open(this, driver, deviceIndex, name, Closed);
                _open[deviceIndex] = device;
                return device;
            }
            catch (CudaException e) when (e.Message.StartsWith("cuDevice", StringComparison.Ordinal))
            {
                throw new CudaException(e.Result,
                    $"Rank {rank} could not open CUDA device {deviceIndex}: {e.Message} " +
                    $"Check that the device exists (nvidia-smi) and that {CudaVisibleDevices.VariableName} lists it.");
            }
        }
    }

    /// <inheritdoc />
    protected override ServingHooks CreateServingHooks() => new CudaServingHooks(this);

    private void Closed(CudaDevice device)
    {
        lock (_lock)
        {
            if (_open.TryGetValue(device.Index, out var open) && ReferenceEquals(open, device))
            {
                _open.Remove(device.Index);
            }
        }
    }

    private CudaDriver LoadDriver()
    {
        if (_driver is not null)
        {
            return _driver;
        }

        if (!CudaDriver.TryLoad(_cudaLibrary, out var driver, out var error))
        {
            throw new CudaException(
                $"The CUDA driver could not be used: {error}. Install the NVIDIA driver (it ships libcuda.so.1) or add its folder to LD_LIBRARY_PATH; " +
                "in a container, start it with the NVIDIA Container Toolkit (docker run --gpus all).");
        }

        try
        {
            driver.Initialize();
        }
        catch (CudaException e)
        {
            throw new CudaException(e.Result,
                $"{e.Message} Check that nvidia-smi lists the GPUs and that {CudaVisibleDevices.VariableName} does not hide them; in a container, pass the GPUs in (docker run --gpus all).");
        }

        _driver = driver;
        return driver;
    }

    /// <summary>NCCL, loaded on first use by a tensor-parallel group.</summary>
    /// <exception cref="NotSupportedException">It could not be loaded; the message says what to install or set.</exception>
    internal Nccl LoadNccl()
    {
        lock (_lock)
        {
            if (_nccl is not null)
            {
                return _nccl;
            }

            var library = _ncclLibrary ?? (Environment.GetEnvironmentVariable(Nccl.LibraryVariable) is { Length: > 0 } configured ? configured : Nccl.DefaultLibraryName);
            if (!Nccl.TryLoad(library, out var nccl, out var error))
            {
                throw new NotSupportedException(
                    $"Tensor parallelism on cuda needs NCCL, and {error}. Install NCCL 2 (the libnccl2 package, or the nvidia-nccl wheel that PyTorch uses) and add its lib folder to LD_LIBRARY_PATH, or set {Nccl.LibraryVariable} to libnccl.so.2's path.");
            }

            return _nccl = nccl;
        }
    }

    private string? DeviceUuid(int deviceIndex)
    {
        var devices = Devices;
        if (deviceIndex < 0 || deviceIndex >= devices.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(deviceIndex), deviceIndex, $"Platform 'cuda' has {devices.Count} device(s).");
        }

        return devices[deviceIndex].Uuid;
    }
}
