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
/// The cuda platform's device layer against the libcuda shim, which checks every launch's grid and block against
/// the kernel ABI and every pointer against a live allocation, then runs a C emulation of the kernel: the host's
/// side (argument marshaling, launch shapes, copies, graphs, errors, cleanup) is proved here without a GPU; the
/// kernels themselves are checked on a GPU by <see cref="CudaGpuTests"/>.
/// </summary>
[Collection(NativeCudaTests.Name)]
public sealed class CudaDeviceTests(CudaShims shims)
{
    private static readonly GenerationRequest Request = new("The platform is", 12);

    [Fact]
    public void Every_operation_matches_the_cpu_reference_in_every_element_type()
    {
        var platform = shims.Probed();
        using var device = platform.OpenDevice(0, 0)!;

        var results = DeviceConformance.Check(device, platform.Capabilities.Operations, platform.Capabilities.ElementTypes, seed: 11);

        results.Should().HaveCount(12 * 3);
        results.Should().OnlyContain(r => r.Passed, string.Join("\n", results.Where(r => !r.Passed).Select(r => r.Message)));
    }

    [Fact]
    public void The_tiny_model_generates_the_cpu_tokens_replaying_a_cuda_graph_and_eagerly()
    {
        var platform = shims.Probed();
        var reference = CudaShims.CpuReference();
        var graphLaunches = ShimCounter("cuShimGraphLaunches");

        var graphs = Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, Request, platform);
        var launched = ShimCounter("cuShimGraphLaunches") - graphLaunches;
        var eager = Engine.Generate(new ServerArgs { MaxTotalTokens = 64, DisableGraphCapture = true }, Request, platform);
        var expected = Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, Request, reference);

        graphs.OutputTokenIds.Should().Equal(expected.OutputTokenIds);
        eager.OutputTokenIds.Should().Equal(expected.OutputTokenIds);
        graphs.Plan.GraphRunner.Should().Be("cuda-graph");
        launched.Should().Be(graphs.DecodeSteps, "every decode step is one graph launch");
        graphs.DecodeBytesToDevicePerStep.Should().Be(8);
        graphs.DecodeBytesToHostPerStep.Should().Be(4);
        graphs.Plan.Fallbacks.Should().BeEmpty();
        graphs.Plan.DeviceCapability.Should().Be("9.0");
    }

    [Theory]
    [InlineData(ElementType.BFloat16)]
    [InlineData(ElementType.Float16)]
    public void Half_precision_runs_every_operation_on_the_device(ElementType elementType)
    {
        var platform = shims.Probed();

        var result = Engine.Generate(new ServerArgs { MaxTotalTokens = 64, DataType = elementType }, Request, platform);

        result.Plan.DataType.Should().Be(elementType.ToString());
        result.Plan.KvCacheDataType.Should().Be(elementType.ToString());
        result.Plan.Fallbacks.Should().BeEmpty();
        result.OutputTokenIds.Should().HaveCount(Request.MaxNewTokens);
    }

    [Fact]
    public void Disposing_after_a_run_releases_every_allocation_stream_module_graph_and_pinned_buffer()
    {
        var platform = shims.Probed();
        var before = LiveObjects();

        Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, Request, platform);

        LiveObjects().Should().Be(before);
    }

    [Fact]
    public void A_kv_pool_too_large_for_the_device_gives_the_sizes_and_keeps_nothing()
    {
        var platform = shims.Probed();
        using var env = NativeEnvironment.Set(("CUDA_SHIM_TOTAL_BYTES", (64L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var before = LiveObjects();

        var act = () => Engine.Generate(new ServerArgs { MaxTotalTokens = 1_000_000 }, Request, platform);

        act.Should().Throw<PlatformCapabilityException>()
            .WithMessage("*A KV pool of 1000000 tokens (2048000000 bytes over 4 layers of Float32) does not fit on cuda:0*cuMemAlloc of 256000000 bytes*CUDA_ERROR_OUT_OF_MEMORY: out of memory (CUresult 2)*bytes are free*Nothing was kept*");
        LiveObjects().Should().Be(before);
    }

    [Fact]
    public void Running_out_of_memory_part_way_through_setting_up_leaks_nothing()
    {
        var platform = shims.Probed();
        var before = LiveObjects();
        var made = ShimCounter("cuShimAllocationsMade");
        using var env = NativeEnvironment.Set(("CUDA_SHIM_FAIL_ALLOC_AFTER", (made + 40).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var act = () => Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, Request, platform);

        act.Should().Throw<PlatformCapabilityException>().WithMessage("*out of memory*");
        LiveObjects().Should().Be(before);
    }

    [Fact]
    public void Ptx_the_driver_refuses_gives_the_drivers_message_and_what_to_update()
    {
        var platform = shims.Probed();
        var before = LiveObjects();
        using var env = NativeEnvironment.Set(("CUDA_SHIM_MODULE_RESULT", "222"));

        var act = () => platform.OpenDevice(0, 0);

        act.Should().Throw<CudaException>().Where(e => e.Result == 222)
            .WithMessage("cuModuleLoadDataEx could not load the cuda platform's kernels: CUDA_ERROR_UNSUPPORTED_PTX_VERSION*The driver's JIT said:*Update the NVIDIA driver*SGL_PLATFORM=cpu*");
        LiveObjects().Should().Be(before, "the stream and the staging memory were given back");
    }

    [Fact]
    public void Contributions_reach_cuda_memory_by_device_address_and_enqueue_on_the_devices_stream()
    {
        var platform = shims.Probed();
        using var device = platform.OpenDevice(0, 0)!;
        using var buffer = device.Allocate(ElementType.Float32, new TensorShape(4, 8));

        buffer.TryGetNativeAddress(out var whole).Should().BeTrue();
        buffer.Slice(1, 2).TryGetNativeAddress(out var second).Should().BeTrue();

        whole.Kind.Should().Be(NativeMemoryKind.Device);
        whole.Address.Should().NotBe(0);
        (second.Address - whole.Address).Should().Be(8 * sizeof(float));
        device.Queue.NativeHandle.Should().NotBe(0, "contributed kernels enqueue on the device's CUstream");
    }

    [Fact]
    public void A_step_that_copies_while_a_graph_is_captured_is_refused_and_the_stream_stays_usable()
    {
        var platform = shims.Probed();
        using var device = platform.OpenDevice(0, 0)!;
        using var runner = platform.Serving.CreateGraphRunner(device)!;
        using var buffer = device.Allocate(ElementType.Int32, new TensorShape(1, 1));

        var act = () => runner.Run(1, () => device.CopyToDevice<int>([7], buffer));

        act.Should().Throw<InvalidOperationException>().WithMessage("Cannot copy to the device on cuda:0 (*) while a graph is being captured*");
        device.CopyToDevice<int>([7], buffer);
        var back = new int[1];
        device.CopyToHost<int>(buffer, back);
        back[0].Should().Be(7);
    }

    [Fact]
    public void Cu_init_failure_is_reported_with_the_driver_message()
    {
        var platform = shims.Probed();
        using var env = NativeEnvironment.Set(("CUDA_SHIM_INIT_RESULT", "100"));

        var act = () => platform.OpenDevice(0, 0);

        act.Should().Throw<CudaException>().Where(e => e.Result == 100)
            .WithMessage("cuInit failed: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected (CUresult 100). Check that nvidia-smi lists the GPUs*");
    }

    [Fact]
    public void A_device_the_driver_does_not_have_names_the_rank_and_cuda_visible_devices()
    {
        var platform = shims.Probed(devices: 4);
        using var env = NativeEnvironment.Set(("CUDA_SHIM_DEVICE_COUNT", "1"));

        var act = () => platform.OpenDevice(3, 3);

        act.Should().Throw<CudaException>()
            .WithMessage("Rank 3 could not open CUDA device 3: cuDeviceGet(3) failed: CUDA_ERROR_INVALID_DEVICE: invalid device ordinal (CUresult 101).*CUDA_VISIBLE_DEVICES*");
    }

    [Fact]
    public void A_missing_cuda_driver_library_says_how_to_install_it()
    {
        var platform = new CudaPlatform(shims.Nvml.PathOrSkip(), "/nonexistent/sgl-tests/libcuda.so.1");
        using var root = new FakeSystemRoot();
        platform.Probe(new ProbeContext(root.View()));

        var act = () => platform.OpenDevice(0, 0);

        act.Should().Throw<CudaException>().WithMessage("*/nonexistent/sgl-tests/libcuda.so.1 could not be loaded*LD_LIBRARY_PATH*");
    }

    private (int Allocations, int Pinned, int Streams, int Modules, int Graphs) LiveObjects() =>
        (ShimCounter("cuShimLiveAllocations"), ShimCounter("cuShimLivePinnedAllocations"), ShimCounter("cuShimLiveStreams"),
            ShimCounter("cuShimLiveModules"), ShimCounter("cuShimLiveGraphExecs") + ShimCounter("cuShimLiveGraphs"));

    private unsafe int ShimCounter(string name)
    {
        var library = NativeLibrary.Load(shims.Cuda.PathOrSkip());
        return ((delegate* unmanaged<int>)NativeLibrary.GetExport(library, name))();
    }
}
