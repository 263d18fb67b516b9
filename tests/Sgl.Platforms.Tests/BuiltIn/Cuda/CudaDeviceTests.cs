using System.Runtime.InteropServices;
using Sgl.Platforms.BuiltIn.Cuda;
using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Testing;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>Device initialisation and the device-memory KV pool, against the libcuda shim.</summary>
[Collection(NativeCudaTests.Name)]
public sealed class CudaDeviceTests(CudaShims shims)
{
    private static readonly KvPoolRequest SmallRequest = new(LayerCount: 2, KvHeadCount: 2, HeadDim: 4, KvCacheDataType.Float32) { MaxTokens = 8 };

    [Fact]
    public void A_pool_of_max_tokens_lives_on_the_device_and_round_trips_keys_and_values()
    {
        var platform = InitializedPlatform();

        using var pool = platform.CreateKvPool(SmallRequest);
        var slots = pool.Allocate(3);
        float[] key = [1, 2, 3, 4, 5, 6, 7, 8.5f];
        float[] value = [-1, -2, -3, -4, -5, -6, -7, -8.25f];
        pool.Write(1, slots[2], key, value);
        var keyBack = new float[8];
        var valueBack = new float[8];
        pool.Read(1, slots[2], keyBack, valueBack);

        pool.Location.Should().Be("device");
        pool.Capacity.Should().Be(8);
        pool.SizeBytes.Should().Be(8 * SmallRequest.BytesPerToken);
        pool.FreeSlots.Should().Be(5);
        keyBack.Should().Equal(key);
        valueBack.Should().Equal(value);
    }

    [Theory]
    [InlineData(KvCacheDataType.Float16)]
    [InlineData(KvCacheDataType.BFloat16)]
    public void Half_precision_pools_store_converted_values(KvCacheDataType dataType)
    {
        var platform = InitializedPlatform();
        using var pool = platform.CreateKvPool(SmallRequest with { DataType = dataType });
        var slot = pool.Allocate(1)[0];
        float[] key = [0.5f, -1.25f, 3, 1024, -0.0625f, 7, 0, 2.5f];
        float[] value = [1.1f, 2.2f, 3.3f, 4.4f, 5.5f, 6.6f, 7.7f, 8.8f];

        pool.Write(0, slot, key, value);
        var keyBack = new float[8];
        var valueBack = new float[8];
        pool.Read(0, slot, keyBack, valueBack);

        keyBack.Should().Equal(key, "these values are exact in 16-bit floats");
        valueBack.Should().BeEquivalentTo(value, o => o.Using<float>(c => c.Subject.Should().BeApproximately(c.Expectation, 0.05f)).WhenTypeIs<float>());
        pool.SizeBytes.Should().Be(8L * 2 * 2 * 2 * 4 * 2);
    }

    [Fact]
    public void Capacity_without_max_tokens_comes_from_free_memory_and_the_fraction()
    {
        using var env = NativeEnvironment.Set(("CUDA_SHIM_TOTAL_BYTES", "1048576"));
        var platform = InitializedPlatform();
        var request = SmallRequest with { MaxTokens = null, MemFractionStatic = 0.5 };

        var freeBefore = platform.GetFreeMemory(0);
        using var pool = platform.CreateKvPool(request);

        freeBefore.Should().Be(1048576);
        pool.Capacity.Should().Be((int)(1048576 * 0.5 / request.BytesPerToken));
        platform.GetFreeMemory(0).Should().Be(1048576 - pool.SizeBytes, "cuMemGetInfo sees the pool's buffers");
    }

    [Fact]
    public void Asking_for_more_slots_than_are_free_throws_kv_pool_exhausted()
    {
        var platform = InitializedPlatform();
        using var pool = platform.CreateKvPool(SmallRequest);
        pool.Allocate(6);

        var act = () => pool.Allocate(3);

        act.Should().Throw<KvPoolExhaustedException>().WithMessage("*2 free token slot(s) of 8 but 3 were requested*");
        pool.FreeSlots.Should().Be(2, "a failed allocation takes nothing");
    }

    [Fact]
    public void Freed_slots_can_be_allocated_again_and_a_double_free_is_refused()
    {
        var platform = InitializedPlatform();
        using var pool = platform.CreateKvPool(SmallRequest);
        var slots = pool.Allocate(8);

        pool.Free(slots.AsSpan(0, 4));
        var again = pool.Allocate(4);
        var doubleFree = () => pool.Free([slots[7], slots[7]]);

        again.Should().BeEquivalentTo(slots[..4]);
        doubleFree.Should().Throw<ArgumentException>().WithMessage("*freed twice*");
    }

    [Fact]
    public void Dispose_frees_every_device_buffer()
    {
        var platform = InitializedPlatform();
        var before = LiveShimAllocations();

        var pool = platform.CreateKvPool(SmallRequest);
        var during = LiveShimAllocations();
        pool.Dispose();
        pool.Dispose();

        during.Should().Be(before + (2 * SmallRequest.LayerCount));
        LiveShimAllocations().Should().Be(before);
        pool.Invoking(p => p.Allocate(1)).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public void A_pool_too_large_for_the_device_fails_with_the_size_and_leaks_nothing()
    {
        using var env = NativeEnvironment.Set(("CUDA_SHIM_TOTAL_BYTES", "8192"));
        var platform = InitializedPlatform();
        var before = LiveShimAllocations();

        var act = () => platform.CreateKvPool(SmallRequest with { MaxTokens = 100 });

        act.Should().Throw<CudaException>().Where(e => e.Result == 2)
            .WithMessage("*cuMemAlloc of 3200 bytes for layer 1*out of memory (CUresult 2)*Lower MaxTokens*");
        LiveShimAllocations().Should().Be(before);
    }

    [Fact]
    public async Task The_pool_works_from_threads_that_never_initialised_the_device()
    {
        var platform = InitializedPlatform();
        using var pool = platform.CreateKvPool(SmallRequest);
        var slot = pool.Allocate(1)[0];
        float[] key = [9, 8, 7, 6, 5, 4, 3, 2];

        await Task.Run(() => pool.Write(0, slot, key, key), TestContext.Current.CancellationToken);
        var back = await Task.Run(() =>
        {
            var k = new float[8];
            pool.Read(0, slot, k, new float[8]);
            return k;
        }, TestContext.Current.CancellationToken);

        back.Should().Equal(key);
    }

    [Fact]
    public void Creating_a_pool_before_initialising_the_device_says_what_to_call()
    {
        var platform = new CudaPlatform(shims.Nvml.PathOrSkip(), shims.Cuda.PathOrSkip());

        var act = () => platform.CreateKvPool(SmallRequest);

        act.Should().Throw<InvalidOperationException>().WithMessage("*call InitializeDevice(rank, 0)*");
    }

    [Fact]
    public void Cu_init_failure_is_reported_with_the_driver_message()
    {
        using var env = NativeEnvironment.Set(("CUDA_SHIM_INIT_RESULT", "100"));
        var platform = new CudaPlatform(shims.Nvml.PathOrSkip(), shims.Cuda.PathOrSkip());

        var act = () => platform.InitializeDevice(0, 0);

        act.Should().Throw<CudaException>().Where(e => e.Result == 100).WithMessage("cuInit failed: no CUDA-capable device is detected (CUresult 100). Check that nvidia-smi lists the GPUs*");
    }

    [Fact]
    public void A_device_that_does_not_exist_names_the_rank_and_cuda_visible_devices()
    {
        var platform = new CudaPlatform(shims.Nvml.PathOrSkip(), shims.Cuda.PathOrSkip());

        var act = () => platform.InitializeDevice(3, 3);

        act.Should().Throw<CudaException>()
            .WithMessage("Rank 3 could not open CUDA device 3: cuDeviceGet(3) failed: invalid device ordinal (CUresult 101).*CUDA_VISIBLE_DEVICES*");
    }

    [Fact]
    public void A_missing_cuda_driver_library_says_how_to_install_it()
    {
        var platform = new CudaPlatform("/nonexistent/libnvidia-ml.so.1", "/nonexistent/sgl-tests/libcuda.so.1");

        var act = () => platform.InitializeDevice(0, 0);

        act.Should().Throw<CudaException>().WithMessage("*/nonexistent/sgl-tests/libcuda.so.1 could not be loaded*LD_LIBRARY_PATH*");
    }

    private CudaPlatform InitializedPlatform()
    {
        var platform = new CudaPlatform(shims.Nvml.PathOrSkip(), shims.Cuda.PathOrSkip());
        using var root = new FakeSystemRoot();
        platform.Probe(new ProbeContext(root.View()));
        platform.InitializeDevice(rank: 0, localRank: 0);
        return platform;
    }

    private unsafe int LiveShimAllocations()
    {
        var handle = NativeLibrary.Load(shims.Cuda.PathOrSkip());
        try
        {
            return ((delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "cuShimLiveAllocations"))();
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }
}
