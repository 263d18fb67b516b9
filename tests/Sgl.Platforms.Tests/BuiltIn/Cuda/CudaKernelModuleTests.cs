using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>
/// The committed PTX module (src/Sgl.Platforms/BuiltIn/Cuda/Kernels/sgl_kernels.ptx) against its CUDA
/// sources and the kernel ABI: a kernel edited without regenerating the PTX would ship the old code.
/// </summary>
public sealed partial class CudaKernelModuleTests
{
    private static readonly string[] Operations =
    [
        "embedding_gather", "rms_norm", "matmul", "rotary", "silu_mul", "add", "kv_write", "paged_attention", "attention", "argmax", "fill_uniform",
    ];

    private static readonly string[] ElementTypes = ["f32", "f16", "bf16"];

    [Fact]
    public void The_committed_ptx_was_generated_from_the_current_kernel_sources()
    {
        var kernels = KernelsFolder();
        var header = File.ReadLines(Path.Combine(kernels, "sgl_kernels.ptx")).First();

        var recorded = SourcesHash().Match(header);

        recorded.Success.Should().BeTrue($"the PTX's first line records its sources' hash, but it is: {header}");
        recorded.Groups[1].Value.Should().Be(HashOfSources(kernels),
            "sgl_kernels.ptx must be regenerated after a kernel source changes: run eng/cuda/build-ptx.sh and commit the result");
    }

    [Fact]
    public void The_ptx_declares_every_entry_point_of_the_kernel_abi_and_targets_sm_70()
    {
        var ptx = File.ReadAllText(Path.Combine(KernelsFolder(), "sgl_kernels.ptx"));
        var expected = Operations.SelectMany(op => ElementTypes.Select(type => $"sgl_{op}_{type}"));

        var declared = EntryPoint().Matches(ptx).Select(m => m.Groups[1].Value);

        declared.Should().BeEquivalentTo(expected);
        ptx.Should().Contain(".target sm_70", "one module serves every GPU from Volta on");
        ptx.Should().NotContain(".local", "no kernel spills to local memory or keeps an indexed array there");
    }

    /// <summary>SHA-256 of the kernel sources (*.h, *.cuh, *.cu) concatenated in ordinal order of their names, as eng/cuda/build-ptx.sh computes it.</summary>
    private static string HashOfSources(string kernels)
    {
        var sources = Directory.EnumerateFiles(kernels)
            .Where(f => f.EndsWith(".h", StringComparison.Ordinal) || f.EndsWith(".cuh", StringComparison.Ordinal) || f.EndsWith(".cu", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var source in sources)
        {
            sha.AppendData(File.ReadAllBytes(source));
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static string KernelsFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Platforms.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("Platforms.sln not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "src", "Sgl.Platforms", "BuiltIn", "Cuda", "Kernels");
    }

    [GeneratedRegex(@"sources-sha256: ([0-9a-f]{64})")]
    private static partial Regex SourcesHash();

    [GeneratedRegex(@"^\.visible \.entry (\w+)\(", RegexOptions.Multiline)]
    private static partial Regex EntryPoint();
}
