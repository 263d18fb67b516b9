using System.Composition;
using System.Globalization;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The built-in cuda platform: NVIDIA GPUs. The probe reads NVML only; the CUDA driver is loaded by
/// <see cref="Platform.InitializeDevice(int, int)"/> and nowhere else.
/// </summary>
[Export(typeof(Platform))]
[PlatformMetadata("cuda", Kind = PlatformEnum.Cuda, Priority = 100, Vendor = "NVIDIA")]
public sealed class CudaPlatform : Platform
{
    private readonly string _nvmlLibrary;
    private readonly string _cudaLibrary;
    private readonly Lock _lock = new();
    private readonly Dictionary<int, IntPtr> _contexts = [];
    private CudaDriver? _driver;

    /// <summary>Creates the platform; touches no hardware and loads no library.</summary>
    public CudaPlatform()
        : this(Nvml.DefaultLibraryName, CudaDriver.DefaultLibraryName)
    {
    }

    /// <summary>Creates the platform with other library names or paths (tests load shims this way).</summary>
    /// <param name="nvmlLibrary">The NVML library name or absolute path.</param>
    /// <param name="cudaLibrary">The CUDA driver library name or absolute path.</param>
    internal CudaPlatform(string nvmlLibrary, string cudaLibrary = CudaDriver.DefaultLibraryName)
    {
        _nvmlLibrary = nvmlLibrary;
        _cudaLibrary = cudaLibrary;
    }

    /// <inheritdoc />
    public override string DeviceName => "cuda";

    /// <inheritdoc />
    public override string DeviceType => "cuda";

    /// <inheritdoc />
    public override PlatformEnum Kind => PlatformEnum.Cuda;

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
    /// Loads libcuda (the only place it is loaded), calls cuInit, retains the primary context of device
    /// <paramref name="localRank"/> and makes it current on the calling thread. Calling it again for the
    /// same device only makes the context current again.
    /// </remarks>
    /// <exception cref="CudaException">The driver could not be loaded or a driver call failed; the message says which and why.</exception>
    public override void InitializeDevice(int rank, int localRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        lock (_lock)
        {
            var driver = LoadDriver();
            if (!_contexts.TryGetValue(localRank, out var context))
            {
                try
                {
                    context = driver.RetainPrimaryContext(localRank);
                }
                catch (CudaException e)
                {
                    throw new CudaException(e.Result,
                        $"Rank {rank} could not open CUDA device {localRank}: {e.Message} " +
                        $"Check that the device exists (nvidia-smi) and that {CudaVisibleDevices.VariableName} lists it.");
                }

                _contexts[localRank] = context;
            }

            driver.SetCurrent(context);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// After <see cref="InitializeDevice(int, int)"/> for the device this is cuMemGetInfo; before, NVML
    /// reports it without creating a context.
    /// </remarks>
    public override long GetFreeMemory(int deviceIndex)
    {
        lock (_lock)
        {
            if (_driver is not null && _contexts.TryGetValue(deviceIndex, out var context))
            {
                _driver.SetCurrent(context);
                return _driver.GetMemoryInfo().Free;
            }
        }

        return NvmlMemoryReader.ReadFree(_nvmlLibrary, DeviceUuid(deviceIndex)) ?? base.GetFreeMemory(deviceIndex);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Device memory through cuMemAlloc, one K and one V buffer per layer. Capacity is
    /// <see cref="KvPoolRequest.MaxTokens"/>, or the free memory times <see cref="KvPoolRequest.MemFractionStatic"/>
    /// divided by <see cref="KvPoolRequest.BytesPerToken"/>. Float32, Float16 and BFloat16 are stored as asked.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The device was not initialised.</exception>
    /// <exception cref="CudaException">The allocation failed.</exception>
    public override IKvPool CreateKvPool(KvPoolRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (_driver is null || !_contexts.TryGetValue(request.DeviceIndex, out var context))
            {
                throw new InvalidOperationException(
                    $"CUDA device {request.DeviceIndex} is not initialised; call InitializeDevice(rank, {request.DeviceIndex}) on this platform before creating its KV pool.");
            }

            return CudaKvPool.Create(_driver, context, request);
        }
    }

    /// <inheritdoc />
    protected override ProbeResult ProbeCore(ProbeContext context) => CudaProbe.Run(context, _nvmlLibrary);

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
