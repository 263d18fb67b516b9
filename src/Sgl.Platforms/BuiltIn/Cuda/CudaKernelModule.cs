using System.Reflection;
using Sgl.Platforms.Devices;

namespace Sgl.Platforms.BuiltIn.Cuda;

/// <summary>
/// The cuda platform's kernels: the PTX module shipped inside this assembly (Kernels/sgl_kernels.ptx, built from
/// the CUDA C sources beside it by eng/cuda/build-ptx.sh), loaded into a context with cuModuleLoadDataEx so the
/// driver compiles it for the GPU it finds, and every entry point of the kernel ABI resolved by name.
/// </summary>
internal sealed class CudaKernelModule
{
    /// <summary>The manifest resource name of the PTX image.</summary>
    public const string ResourceName = "Sgl.Platforms.BuiltIn.Cuda.sgl_kernels.ptx";

    private static readonly Lazy<byte[]> Image = new(ReadImage);
    private readonly IntPtr[,] _functions;

    private CudaKernelModule(IntPtr module, IntPtr[,] functions)
    {
        Handle = module;
        _functions = functions;
    }

    /// <summary>The kernels, in the order of <see cref="KernelName"/>'s first argument.</summary>
    public enum Kernel
    {
        EmbeddingGather,
        RmsNorm,
        MatMul,
        Rotary,
        SiluMul,
        Add,
        KvWrite,
        PagedAttention,
        Attention,
        Argmax,
        FillUniform,
    }

    /// <summary>The module handle.</summary>
    public IntPtr Handle { get; }

    /// <summary>The PTX image, NUL-terminated as cuModuleLoadDataEx wants text.</summary>
    public static ReadOnlySpan<byte> PtxImage => Image.Value;

    /// <summary>The entry point's name: for example <c>sgl_matmul_bf16</c>.</summary>
    public static string KernelName(Kernel kernel, ElementType elementType) =>
        $"sgl_{Snake(kernel)}_{elementType switch { ElementType.Float32 => "f32", ElementType.Float16 => "f16", _ => "bf16" }}";

    /// <summary>Loads the module into the current context and resolves every entry point.</summary>
    /// <exception cref="CudaException">The driver refused the PTX (too old a driver, for example); the message has the driver's words, its JIT log and what to update.</exception>
    public static CudaKernelModule Load(CudaDriver driver)
    {
        var result = driver.TryLoadModule(PtxImage, out var module, out var log);
        if (result != CudaDriver.Success)
        {
            var version = driver.DriverVersion();
            throw new CudaException(result,
                $"cuModuleLoadDataEx could not load the cuda platform's kernels: {driver.Describe(result)}.{(log.Length > 0 ? $" The driver's JIT said: {log}" : "")} " +
                $"The kernels are PTX ISA 6.4 for sm_70 and newer; this driver supports CUDA {version / 1000}.{version % 1000 / 10}. " +
                "Update the NVIDIA driver (r418 or newer runs PTX 6.4; a GPU older than Volta cannot run these kernels), or run on another platform (SGL_PLATFORM=cpu).");
        }

        var types = new[] { ElementType.Float32, ElementType.Float16, ElementType.BFloat16 };
        var kernels = Enum.GetValues<Kernel>();
        var functions = new IntPtr[kernels.Length, types.Length];
        try
        {
            foreach (var kernel in kernels)
            {
                for (var t = 0; t < types.Length; t++)
                {
                    functions[(int)kernel, t] = driver.GetFunction(module, KernelName(kernel, types[t]));
                }
            }
        }
        catch
        {
            driver.UnloadModule(module);
            throw;
        }

        return new CudaKernelModule(module, functions);
    }

    /// <summary>The entry point of <paramref name="kernel"/> for <paramref name="elementType"/> (a floating-point type).</summary>
    public IntPtr Function(Kernel kernel, ElementType elementType) => _functions[(int)kernel, elementType switch
    {
        ElementType.Float32 => 0,
        ElementType.Float16 => 1,
        ElementType.BFloat16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "The kernels are float32, float16 or bfloat16."),
    }];

    private static string Snake(Kernel kernel) => kernel switch
    {
        Kernel.EmbeddingGather => "embedding_gather",
        Kernel.RmsNorm => "rms_norm",
        Kernel.MatMul => "matmul",
        Kernel.Rotary => "rotary",
        Kernel.SiluMul => "silu_mul",
        Kernel.Add => "add",
        Kernel.KvWrite => "kv_write",
        Kernel.PagedAttention => "paged_attention",
        Kernel.Attention => "attention",
        Kernel.Argmax => "argmax",
        _ => "fill_uniform",
    };

    private static byte[] ReadImage()
    {
        using var stream = typeof(CudaKernelModule).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The cuda kernels ({ResourceName}) are missing from {typeof(CudaKernelModule).Assembly.GetName().Name}; the build embeds Kernels/sgl_kernels.ptx.");
        var image = new byte[stream.Length + 1];
        stream.ReadExactly(image.AsSpan(0, (int)stream.Length));
        return image;
    }
}
