using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cuda;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Testing;
using Sgl.Runtime.Entrypoints;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>The cuda platform on a real NVIDIA GPU; skipped where none is present.</summary>
[Collection(NativeCudaTests.Name)]
[Trait("Category", "Gpu")]
public sealed class CudaGpuTests
{
    [Fact]
    public void The_probe_finds_the_gpus_nvml_reports()
    {
        var platform = new CudaPlatform();

        var result = RequireGpu(platform);

        result.Devices.Should().NotBeEmpty();
        result.Devices.Should().OnlyContain(d => d.MemoryBytes > 0 && d.Capability != null && d.Uuid!.StartsWith("GPU-") && d.PciBusId != null);
        platform.GetDeviceCapability(0)!.Value.Major.Should().BeGreaterThanOrEqualTo(3);
    }

    [Fact]
    public void Every_operation_matches_the_cpu_reference_in_every_element_type_on_the_gpu()
    {
        var platform = new CudaPlatform();
        RequireGpu(platform);
        using var device = platform.OpenDevice(0, 0)!;

        var results = DeviceConformance.Check(device, platform.Capabilities.Operations, platform.Capabilities.ElementTypes, seed: Environment.TickCount);

        results.Should().HaveCount(36);
        results.Should().OnlyContain(r => r.Passed, string.Join("\n", results.Where(r => !r.Passed).Select(r => r.Message)));
        TestContext.Current.SendDiagnosticMessage(string.Join("\n", results.Select(r => r.Message)));
    }

    [Fact]
    public void The_tiny_model_in_float32_generates_the_cpu_tokens_replaying_a_cuda_graph_and_eagerly()
    {
        var platform = new CudaPlatform();
        RequireGpu(platform);
        var request = new GenerationRequest("The platform is", 48);

        var graphs = Engine.Generate(new ServerArgs { MaxTotalTokens = 256 }, request, platform);
        var eager = Engine.Generate(new ServerArgs { MaxTotalTokens = 256, DisableGraphCapture = true }, request, platform);
        var cpu = Engine.Generate(new ServerArgs { MaxTotalTokens = 256 }, request, HostCompute.Platform);

        graphs.Plan.GraphRunner.Should().Be("cuda-graph");
        graphs.OutputTokenIds.Should().Equal(cpu.OutputTokenIds);
        eager.OutputTokenIds.Should().Equal(graphs.OutputTokenIds, "replaying the captured step computes what enqueuing it does");
        graphs.DecodeBytesToDevicePerStep.Should().Be(8);
        graphs.DecodeBytesToHostPerStep.Should().Be(4);
    }

    /// <summary>bfloat16 weights and activations against the float32 CPU reference: documented tolerance 5e-2 relative L2 on the prefill logits.</summary>
    [Fact]
    public void Bfloat16_prefill_logits_stay_within_the_documented_tolerance_of_the_cpu()
    {
        var platform = new CudaPlatform();
        RequireGpu(platform);
        var request = new GenerationRequest("The platform is", 1) { ReturnPrefillLogits = true };

        var bf16 = Engine.Generate(new ServerArgs { MaxTotalTokens = 64, DataType = ElementType.BFloat16 }, request, platform).PrefillLogits!;
        var cpu = Engine.Generate(new ServerArgs { MaxTotalTokens = 64 }, request, HostCompute.Platform).PrefillLogits!;

        var error = Math.Sqrt(bf16.Zip(cpu, (a, b) => Math.Pow(a - b, 2)).Sum() / cpu.Sum(b => (double)b * b));
        TestContext.Current.SendDiagnosticMessage($"bfloat16 prefill logits: relative L2 error {error:0.####} against the float32 CPU reference");
        error.Should().BeLessThan(5e-2);
    }

    [Fact]
    public void Disposing_gives_every_byte_of_device_memory_back()
    {
        var platform = new CudaPlatform();
        var probe = RequireGpu(platform);
        var freeBefore = NvmlMemoryReader.ReadFree(Nvml.DefaultLibraryName, probe.Devices[0].Uuid)!.Value;

        Engine.Generate(new ServerArgs { MaxTotalTokens = 4096 }, new GenerationRequest("The platform is", 16), platform);
        var freeAfter = NvmlMemoryReader.ReadFree(Nvml.DefaultLibraryName, probe.Devices[0].Uuid)!.Value;

        (freeBefore - freeAfter).Should().BeLessThan(1L << 20, "the weights, the pool, the kernels, the stream and the context were all released");
    }

    [Fact]
    public void The_synthetic_1b_model_runs_with_weights_generated_on_the_device()
    {
        var platform = new CudaPlatform();
        RequireGpu(platform);

        var result = Engine.Generate(new ServerArgs { ModelPath = "sgl-synthetic-1b", MaxTotalTokens = 256 }, new GenerationRequest("The platform is", 16), platform);

        result.OutputTokenIds.Should().HaveCount(16);
        result.Plan.DataType.Should().Be("BFloat16");
        result.Plan.WeightSource.Should().Be("generated on the device");
        result.Plan.WeightBytes.Should().BeGreaterThan(2L << 30);
        result.Plan.GraphRunner.Should().Be("cuda-graph");
    }

    /// <summary>
    /// Measured on an H100 with driver 580: NVML's own init maps libcuda.so.1 without initialising
    /// it, while cuInit opens /dev/nvidiactl, /dev/nvidia-uvm and /dev/nvidia0. So "no CUDA context"
    /// is checked by the device files a process holds, and the same check must see cuInit.
    /// </summary>
    [Fact]
    public void Probing_opens_no_device_file_and_creates_no_cuda_context_while_initialising_does()
    {
        if (OpenNvidiaDeviceFiles().Count > 0)
        {
            Assert.Skip("A CUDA context already exists in this test process; run this test alone (-method *Probing_opens_no_device_file*).");
        }

        var platform = new CudaPlatform();
        RequireGpu(platform);
        var afterProbe = OpenNvidiaDeviceFiles();
        CudaDriver.TryLoad(CudaDriver.DefaultLibraryName, out var driver, out _).Should().BeTrue();
        driver!.Initialize();
        driver.RetainPrimaryContext(0);
        var afterInit = OpenNvidiaDeviceFiles();

        afterProbe.Should().BeEmpty("the probe uses NVML only and shuts it down, so no device file stays open");
        afterInit.Should().Contain("/dev/nvidia-uvm", "cuInit opens the unified-memory device, so the check above would have seen a context");
    }

    private static List<string> OpenNvidiaDeviceFiles() =>
        Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .OfType<string>()
            .Where(target => target.StartsWith("/dev/nvidia", StringComparison.Ordinal))
            .Distinct()
            .ToList();

    [Fact]
    public void Nccl_sums_a_device_buffer_in_place_on_the_device_stream_eagerly_and_inside_a_cuda_graph()
    {
        // One GPU holds one NCCL rank (NCCL refuses two ranks on one device), so this is a group of one: it proves the
        // library loads, the unique id and ncclCommInitRank's by-value ABI, and an all-reduce on a device pointer and
        // the device's stream, captured and replayed. Two ranks need two GPUs (docs/hardware_support.md).
        var platform = new CudaPlatform();
        RequireGpu(platform);
        Nccl nccl;
        try
        {
            nccl = platform.LoadNccl();
        }
        catch (NotSupportedException e)
        {
            Assert.Skip(e.Message);
            return;
        }

        using var device = (CudaDevice)platform.OpenDevice(0, 0)!;
        using var communicator = platform.Serving.CreateCommunicator(device, new DeviceCommunicatorContext(0, 1, 0, new()))!;
        using var buffer = device.Allocate(ElementType.Float32, new TensorShape(1, 4096));
        var values = Enumerable.Range(0, 4096).Select(i => i * 0.5f).ToArray();
        device.CopyToDevice<float>(values, buffer);
        var allReduce = new AllReduceOperation(buffer);

        communicator.AllReduce(allReduce);
        using (var graphs = platform.Serving.CreateGraphRunner(device)!)
        {
            graphs.Capture(1, () => communicator.AllReduce(allReduce));
            graphs.Run(1, () => communicator.AllReduce(allReduce));
        }

        var back = new float[values.Length];
        device.CopyToHost<float>(buffer, back);
        back.Should().Equal(values, "a group of one sums to itself");
        communicator.Backend.Should().Be("nccl");
        TestContext.Current.SendDiagnosticMessage($"NCCL {nccl.Version()} from {nccl.Path}");
    }

    private static ProbeResult RequireGpu(CudaPlatform platform)
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var handle))
        {
            Assert.Skip("No NVIDIA GPU here: libcuda.so.1 is not loadable.");
        }

        NativeLibrary.Free(handle);
        var result = platform.Probe(new ProbeContext(SystemView.Host));
        if (result.Status != ProbeStatus.Available)
        {
            Assert.Skip($"No usable NVIDIA GPU here: {result.Reason}");
        }

        return result;
    }
}
