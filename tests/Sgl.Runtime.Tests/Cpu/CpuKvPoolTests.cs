using Sgl.Platforms.ExtensionPoints;

namespace Sgl.Runtime.Tests.Cpu;

public sealed class CpuKvPoolTests
{
    private static KvPoolRequest Shape(int? maxTokens = 16, double fraction = 0.5) =>
        new(LayerCount: 2, KvHeadCount: 2, HeadDim: 8, KvCacheDataType.Float32) { MaxTokens = maxTokens, MemFractionStatic = fraction };

    [Fact]
    public void Allocate_hands_out_distinct_slots_and_free_returns_them()
    {
        using var cpu = new FakeCpu();
        using var pool = cpu.Platform.CreateKvPool(Shape());
        Span<int> first = stackalloc int[10];
        Span<int> second = stackalloc int[6];

        pool.Allocate(first);
        pool.Allocate(second);

        first.ToArray().Concat(second.ToArray()).Should().OnlyHaveUniqueItems().And.AllSatisfy(s => s.Should().BeInRange(0, 15));
        pool.FreeSlots.Should().Be(0);
        pool.Free(first);
        pool.FreeSlots.Should().Be(10);
        pool.Location.Should().Be("host");
        pool.SizeBytes.Should().Be(2L * 2 * 16 * 2 * 8 * sizeof(float));
    }

    [Fact]
    public void Exhaustion_throws_an_actionable_error_and_allocates_nothing()
    {
        using var cpu = new FakeCpu();
        using var pool = cpu.Platform.CreateKvPool(Shape(maxTokens: 4));
        var slots = new int[3];
        pool.Allocate(slots);

        var act = () => pool.Allocate(new int[2]);

        act.Should().Throw<KvPoolExhaustedException>()
            .WithMessage("*2 wanted, 1 of 4 free*--mem-fraction-static*--max-new-tokens*");
        pool.FreeSlots.Should().Be(1);
    }

    [Fact]
    public void Freeing_a_slot_that_is_not_allocated_is_refused()
    {
        using var cpu = new FakeCpu();
        using var pool = cpu.Platform.CreateKvPool(Shape());

        var act = () => pool.Free([3]);

        act.Should().Throw<ArgumentException>().WithMessage("*Slot 3 is not allocated*");
    }

    [Fact]
    public void Keys_and_values_read_back_as_written_per_layer()
    {
        using var cpu = new FakeCpu();
        using var pool = cpu.Platform.CreateKvPool(Shape());
        var slot = new int[1];
        pool.Allocate(slot);
        var key = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var value = Enumerable.Range(0, 16).Select(i => -(float)i).ToArray();
        pool.Write(1, slot[0], key, value);
        pool.Write(0, slot[0], value, key);

        var k = new float[16];
        var v = new float[16];
        pool.Read(1, slot[0], k, v);

        k.Should().Equal(key);
        v.Should().Equal(value);
    }

    [Fact]
    public void Capacity_comes_from_free_memory_times_the_fraction_when_no_token_count_is_given()
    {
        // MemAvailable 1 MiB; a token takes 2 (K,V) × 2 layers × 2 heads × 8 × 4 bytes = 256 bytes.
        using var cpu = new FakeCpu(availableBytes: 1L << 20);

        using var pool = cpu.Platform.CreateKvPool(Shape(maxTokens: null, fraction: 0.25));

        pool.Capacity.Should().Be((1 << 20) / 4 / 256);
    }

    [Fact]
    public void Capacity_from_a_large_host_is_capped()
    {
        using var cpu = new FakeCpu(availableBytes: 1L << 40);

        using var pool = cpu.Platform.CreateKvPool(Shape(maxTokens: null, fraction: 1));

        pool.Capacity.Should().Be(1 << 16);
    }

    [Fact]
    public void Half_precision_is_refused_with_the_fix()
    {
        using var cpu = new FakeCpu();

        var act = () => cpu.Platform.CreateKvPool(Shape() with { DataType = KvCacheDataType.BFloat16 });

        act.Should().Throw<NotSupportedException>().WithMessage("*float32*");
    }
}
