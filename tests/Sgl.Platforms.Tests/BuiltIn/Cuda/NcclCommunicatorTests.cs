using System.Globalization;
using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cuda;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Testing;
using Sgl.Runtime;
using Sgl.Runtime.Entrypoints;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>
/// The cuda platform's NCCL communicator against the libcuda and libnccl shims, with the ranks as threads (the shim's
/// groups live in one process). What runs across processes and GPUs is checked on GPUs (docs/hardware_support.md).
/// </summary>
[Collection(NativeCudaTests.Name)]
public sealed class NcclCommunicatorTests(CudaShims shims)
{
    private static readonly GenerationRequest Request = new("The platform is", 12);

    [Fact]
    public void Two_ranks_all_reduce_through_nccl_on_the_device_stream_and_generate_the_cpu_tokens()
    {
        var platform = shims.Probed(devices: 2, shims.Nccl.PathOrSkip());
        using var env = NativeEnvironment.Set(("CUDA_SHIM_DEVICE_COUNT", "2"));
        var before = Counter("ncclShimAllReduces");

        var result = Engine.Generate(new ServerArgs { TpSize = 2, MaxTotalTokens = 64, DisableGraphCapture = true }, Request, platform);

        result.OutputTokenIds.Should().Equal(CpuTokens());
        result.Plan.Communicator.Should().Be("nccl");
        result.Plan.DecodeOperations.Should().Contain(o => o.Operation == "AllReduce" && o.Runner == "nccl");
        (Counter("ncclShimAllReduces") - before).Should().BeGreaterThan(0);
        Counter("ncclShimLastDataType").Should().Be(7, "float32 activations are summed as ncclFloat32");
        LastStream().Should().NotBe(IntPtr.Zero, "the all-reduce is enqueued on the device's stream, not the legacy default stream");
        Counter("ncclShimLiveComms").Should().Be(0, "every communicator is destroyed when the run ends");
    }

    [Fact]
    public void Bfloat16_activations_are_summed_as_nccl_bfloat16()
    {
        var platform = shims.Probed(devices: 2, shims.Nccl.PathOrSkip());
        using var env = NativeEnvironment.Set(("CUDA_SHIM_DEVICE_COUNT", "2"));

        var result = Engine.Generate(new ServerArgs { TpSize = 2, MaxTotalTokens = 64, DisableGraphCapture = true, DataType = ElementType.BFloat16 }, Request, platform);

        result.OutputTokenIds.Should().HaveCount(Request.MaxNewTokens);
        Counter("ncclShimLastDataType").Should().Be(9);
    }

    [Fact]
    public void A_rank_that_cannot_join_the_group_is_named_with_nccls_own_reason()
    {
        var platform = shims.Probed(devices: 2, shims.Nccl.PathOrSkip());
        using var env = NativeEnvironment.Set(("CUDA_SHIM_DEVICE_COUNT", "2"), ("NCCL_SHIM_INIT_RESULT", "2"));

        var act = () => Engine.Generate(new ServerArgs { TpSize = 2, MaxTotalTokens = 64, DisableGraphCapture = true }, Request, platform);

        act.Should().Throw<NcclException>()
            .WithMessage("Rank ? could not join the NCCL group on cuda:? (*libnccl.so.2): ncclCommInitRank(rank ? of 2) failed: unhandled system error (ncclResult 2): nccl shim: rank ? refused (NCCL_SHIM_INIT_RESULT=2). Run with NCCL_DEBUG=WARN*");
    }

    [Fact]
    public void Without_nccl_tensor_parallelism_stops_at_setup_saying_what_to_install()
    {
        var platform = shims.Probed(devices: 2, "/nonexistent/sgl-tests/libnccl.so.2");
        using var env = NativeEnvironment.Set(("CUDA_SHIM_DEVICE_COUNT", "2"));

        var act = () => Engine.Generate(new ServerArgs { TpSize = 2, MaxTotalTokens = 64, DisableGraphCapture = true }, Request, platform);

        act.Should().Throw<PlatformCapabilityException>()
            .WithMessage("*Tensor parallelism on cuda needs NCCL, and /nonexistent/sgl-tests/libnccl.so.2 could not be loaded. Install NCCL 2*or set SGL_NCCL_LIBRARY*")
            .Which.PlanSoFar!.AttentionBackend.Should().NotBeNull("the plan shows how far setup got");
    }

    private static IReadOnlyList<int> CpuTokens() =>
        Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, Request, CudaShims.CpuReference()).OutputTokenIds;

    private unsafe int Counter(string name) =>
        ((delegate* unmanaged<int>)NativeLibrary.GetExport(NativeLibrary.Load(shims.Nccl.PathOrSkip()), name))();

    private unsafe IntPtr LastStream() =>
        ((delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(NativeLibrary.Load(shims.Nccl.PathOrSkip()), "ncclShimLastStream"))();
}
