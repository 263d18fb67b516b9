using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Runtime.Tests.Cpu;

/// <summary>The contract's KV pool on the cpu platform's device, through the cpu serving part.</summary>
public sealed class CpuKvPoolTests
{
    private static KvPoolRequest Shape(int? maxTokens = 16, double fraction = 0.5) =>
        new(LayerCount: 2, KvHeadCount: 2, HeadDim: 8, ElementType.Float32) { MaxTokens = maxTokens, MemFractionStatic = fraction };

    [Fact]
    public void Allocate_hands_out_distinct_slots_and_free_returns_them()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        using var pool = cpu.Platform.Serving.CreateKvPool(device, Shape());
        Span<int> first = stackalloc int[10];
        Span<int> second = stackalloc int[6];

        pool.Allocate(first);
        pool.Allocate(second);

        first.ToArray().Concat(second.ToArray()).Should().OnlyHaveUniqueItems().And.AllSatisfy(s => s.Should().BeInRange(0, 15));
        pool.FreeSlots.Should().Be(0);
        pool.Free(first);
        pool.FreeSlots.Should().Be(10);
        pool.SizeBytes.Should().Be(2L * 2 * 16 * 2 * 8 * sizeof(float));
        pool.GetKeys(1).Shape.Should().Be(new TensorShape(16, 16), "one row of KvHeads × HeadDim per slot");
        pool.GetValues(0).Device.Should().BeSameAs(device);
    }

    [Fact]
    public void Exhaustion_throws_an_actionable_error_and_allocates_nothing()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        using var pool = cpu.Platform.Serving.CreateKvPool(device, Shape(maxTokens: 4));
        pool.Allocate(new int[3]);

        var act = () => pool.Allocate(new int[2]);

        act.Should().Throw<KvPoolExhaustedException>()
            .WithMessage("*2 wanted, 1 of 4 free*--mem-fraction-static*--max-new-tokens*");
        pool.FreeSlots.Should().Be(1);
    }

    [Fact]
    public void Freeing_a_slot_that_is_not_allocated_is_refused()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        using var pool = cpu.Platform.Serving.CreateKvPool(device, Shape());

        var act = () => pool.Free([3]);

        act.Should().Throw<ArgumentException>().WithMessage("*Slot 3 is not allocated*");
    }

    [Fact]
    public void Capacity_comes_from_free_memory_times_the_fraction_when_no_token_count_is_given()
    {
        // MemAvailable 1 MiB; a token takes 2 (K,V) × 2 layers × 2 heads × 8 × 4 bytes = 256 bytes.
        using var cpu = new FakeCpu(availableBytes: 1L << 20);
        using var device = cpu.Platform.OpenDevice(0, 0)!;

        using var pool = cpu.Platform.Serving.CreateKvPool(device, Shape(maxTokens: null, fraction: 0.25));

        pool.Capacity.Should().Be((1 << 20) / 4 / 256);
    }

    [Fact]
    public void Capacity_from_a_large_host_is_capped()
    {
        using var cpu = new FakeCpu(availableBytes: 1L << 40);
        using var device = cpu.Platform.OpenDevice(0, 0)!;

        using var pool = cpu.Platform.Serving.CreateKvPool(device, Shape(maxTokens: null, fraction: 1));

        pool.Capacity.Should().Be(1 << 16);
    }

    [Fact]
    public void A_budget_that_holds_no_token_says_what_to_raise()
    {
        using var cpu = new FakeCpu(availableBytes: 100);
        using var device = cpu.Platform.OpenDevice(0, 0)!;

        var act = () => cpu.Platform.Serving.CreateKvPool(device, Shape(maxTokens: null, fraction: 0.5));

        act.Should().Throw<KvPoolExhaustedException>().WithMessage("*less than one token (256 bytes)*--mem-fraction-static*--max-total-tokens*");
    }

    [Fact]
    public void Disposing_the_pool_releases_every_buffer()
    {
        using var cpu = new FakeCpu();
        using var device = cpu.Platform.OpenDevice(0, 0)!;
        var pool = cpu.Platform.Serving.CreateKvPool(device, Shape());
        var buffers = Enumerable.Range(0, 2).SelectMany(l => new[] { pool.GetKeys(l), pool.GetValues(l) }).ToList();

        pool.Dispose();

        buffers.Should().OnlyContain(b => b.IsDisposed);
    }
}
