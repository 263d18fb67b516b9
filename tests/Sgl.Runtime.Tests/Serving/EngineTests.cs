using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;
using Sgl.Platforms.Testing;
using Args = Sgl.Platforms.Serving.ServerArgs;
using Sgl.Runtime.Entrypoints;
using Sgl.Runtime.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

public sealed class EngineTests
{
    [Theory]
    [InlineData("The platform is")]
    [InlineData("Once upon a time, in a data centre far away")]
    [InlineData("")]
    public void Tensor_parallel_ranks_generate_the_same_tokens_as_one_rank(string prompt)
    {
        using var cpu = new FakeCpu(cores: 4);
        var request = new GenerationRequest(prompt, 48);

        var tp1 = Engine.Generate(new Args { TpSize = 1, MaxTotalTokens = 256 }, request, cpu.Platform);
        var tp2 = Engine.Generate(new Args { TpSize = 2, MaxTotalTokens = 256 }, request, cpu.Platform);
        var tp4 = Engine.Generate(new Args { TpSize = 4, MaxTotalTokens = 256 }, request, cpu.Platform);

        tp1.OutputTokenIds.Should().NotBeEmpty();
        tp1.OutputTokenIds.Distinct().Should().HaveCountGreaterThan(3, "the model is not stuck on one token, so agreement means something");
        tp2.OutputTokenIds.Should().Equal(tp1.OutputTokenIds);
        tp4.OutputTokenIds.Should().Equal(tp1.OutputTokenIds);
        tp2.Plan.TpSize.Should().Be(2);
    }

    [Fact]
    public void Generation_is_deterministic_and_the_plan_names_every_part()
    {
        using var cpu = new FakeCpu();
        var request = new GenerationRequest("abc", 8);

        var first = Engine.Generate(new Args { MaxTotalTokens = 64 }, request, cpu.Platform);
        var second = Engine.Generate(new Args { MaxTotalTokens = 64 }, request, cpu.Platform);

        second.OutputTokenIds.Should().Equal(first.OutputTokenIds);
        first.PromptTokenIds.Should().Equal(256, 'a', 'b', 'c');
        first.Plan.Should().BeEquivalentTo(new
        {
            Platform = "cpu",
            Model = "sgl-tiny",
            TpSize = 1,
            Device = "Fake Xeon 9000",
            DeviceIndex = 0,
            Compute = "cpu:0 (Fake Xeon 9000)",
            DataType = "Float32",
            GraphRunner = "eager (platform 'cpu' has no graph capture)",
            KvPoolLocation = "cpu:0 (Fake Xeon 9000)",
            KvPoolTokens = 64,
            KvPoolBytes = 64L * 2 * 4 * 64 * sizeof(float),
            KvCacheDataType = "Float32",
            AttentionBackend = "simd",
            Communicator = (string?)null,
            DistributedBackend = "gloo",
        });
        first.Plan.DecodeOperations.Should().OnlyContain(o => o.Placement == "Device" || o.Placement == "AttentionBackend");
        first.Plan.Fallbacks.Should().BeEmpty();
    }

    /// <summary>The tokens the runtime generated before the device-resident contract, recorded from that build: v1 computes the same function.</summary>
    [Theory]
    [InlineData("The platform is", new[] { 163, 63, 152, 136, 62, 179, 255, 255, 255, 255, 255, 255, 255, 256, 166, 153, 69, 102, 166, 249, 74, 35, 210, 61, 44, 186, 41, 52, 104, 255, 255, 194, 240, 256, 130, 224, 132, 134, 244, 224, 235, 66, 256, 130, 224, 55, 215, 73 })]
    [InlineData("Once upon a time, in a data centre far away", new[] { 80, 213, 69, 74, 13, 9, 9, 69, 38, 22, 11, 71, 166, 141, 252, 240, 131, 233, 79, 73, 16, 71, 9, 253, 121, 9, 69, 38, 230, 223, 130, 118, 213, 94, 252, 38, 22, 11, 71, 121, 9, 4, 71, 2, 57, 130, 118, 171 })]
    public void The_cpu_generates_the_tokens_of_the_runtime_before_the_device_layer(string prompt, int[] expected)
    {
        using var cpu = new FakeCpu();

        var result = Engine.Generate(new Args { MaxTotalTokens = 256 }, new GenerationRequest(prompt, 48), cpu.Platform);

        result.OutputTokenIds.Should().Equal(expected);
    }

    [Fact]
    public void A_prompt_longer_than_the_prefill_chunk_gives_the_same_tokens()
    {
        using var cpu = new FakeCpu();
        var request = new GenerationRequest("Once upon a time, in a data centre far away", 16);

        var whole = Engine.Generate(new Args { MaxTotalTokens = 128 }, request, cpu.Platform);
        var chunked = Engine.Generate(new Args { MaxTotalTokens = 128, ChunkedPrefillSize = 5 }, request, cpu.Platform);

        chunked.OutputTokenIds.Should().Equal(whole.OutputTokenIds);
    }

    [Fact]
    public void Decode_steps_allocate_nothing()
    {
        using var cpu = new FakeCpu();

        // The thread's counter sometimes shows 1-8 KB per run that no code of the loop allocates (about one run in
        // six on a loaded machine, before contract 1.1 too; tiered compilation off and a no-GC region did not remove
        // it). So the test measures the cost per step: anything the decode path allocates is at least one 24-byte
        // object per step, and over a thousand extra steps that is far above the noise.
        var shortRun = Engine.Generate(new Args { MaxTotalTokens = 2048 }, new GenerationRequest("warm", 100), cpu.Platform);
        var longRun = Engine.Generate(new Args { MaxTotalTokens = 2048 }, new GenerationRequest("warm", 1100), cpu.Platform);

        var extraSteps = longRun.DecodeSteps - shortRun.DecodeSteps;
        extraSteps.Should().BeGreaterThan(500, "the model does not stop early on this prompt");
        (longRun.DecodeAllocatedBytes - shortRun.DecodeAllocatedBytes).Should().BeLessThan(extraSteps * 24L,
            $"decode allocated {shortRun.DecodeAllocatedBytes} bytes in {shortRun.DecodeSteps} steps and {longRun.DecodeAllocatedBytes} in {longRun.DecodeSteps}");
        shortRun.DecodeAllocatedBytes.Should().BeLessThan(16 << 10);
    }

    [Fact]
    public void Tensor_parallel_decode_steps_do_not_allocate_per_token()
    {
        using var cpu = new FakeCpu();

        var result = Engine.Generate(new Args { TpSize = 2, MaxTotalTokens = 512 }, new GenerationRequest("warm", 200), cpu.Platform);

        // A rank that has to block in the barrier may lazily create a wait handle's lock or a cancellation
        // registration once (tens of bytes); anything per token would be thousands over 199 steps.
        result.DecodeAllocatedBytes.Should().BeLessThan(1024);
    }

    [Fact]
    public void A_kv_pool_that_fills_up_mid_generation_says_how_far_it_got()
    {
        using var cpu = new FakeCpu();

        var act = () => Engine.Generate(new Args { MaxTotalTokens = 10 }, new GenerationRequest("hello", 32), cpu.Platform);

        var stopped = act.Should().Throw<GenerationStoppedException>().WithMessage("KV pool exhausted after 5 generated token(s) (capacity 10 tokens)*--max-total-tokens*").Which;
        stopped.InnerException.Should().BeOfType<KvPoolExhaustedException>();
        stopped.Plan!.KvPoolTokens.Should().Be(10, "the plan shows what was set up");
        stopped.PromptTokenIds.Should().HaveCount(6);
        var full = Engine.Generate(new Args { MaxTotalTokens = 64 }, new GenerationRequest("hello", 32), cpu.Platform);
        stopped.OutputTokenIds.Should().Equal(full.OutputTokenIds.Take(5), "the tokens generated before the pool filled up are the run's first five");
    }

    [Fact]
    public void A_kv_pool_that_fills_up_on_one_rank_stops_every_rank()
    {
        using var cpu = new FakeCpu();

        var act = () => Engine.Generate(new Args { TpSize = 2, MaxTotalTokens = 10 }, new GenerationRequest("hello", 32), cpu.Platform);

        act.Should().Throw<GenerationStoppedException>().Which.OutputTokenIds.Should().HaveCount(5);
    }

    [Theory]
    [InlineData(8, "--tp-size 8 is more than the 4 rank(s) platform 'cpu' can run*use --tp-size 4 or less*")]
    [InlineData(3, "--tp-size 3 does not divide model 'sgl-tiny'*use 1, 2 or 4*")]
    [InlineData(0, "--tp-size must be at least 1*")]
    public void Bad_tp_sizes_are_refused_with_what_would_work(int tp, string message)
    {
        using var cpu = new FakeCpu(cores: 4);

        var act = () => Engine.Generate(new Args { TpSize = tp }, new GenerationRequest("x", 4), cpu.Platform);

        act.Should().Throw<InvalidServerArgsException>().WithMessage(message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Memory_fractions_outside_zero_to_one_are_refused(double fraction)
    {
        using var cpu = new FakeCpu();

        var act = () => Engine.Generate(new Args { MemFractionStatic = fraction }, new GenerationRequest("x", 4), cpu.Platform);

        act.Should().Throw<InvalidServerArgsException>().WithMessage("--mem-fraction-static must be in (0, 1]*");
    }

    [Fact]
    public void An_unknown_attention_backend_is_refused_with_the_platform_list()
    {
        using var cpu = new FakeCpu();

        var act = () => Engine.Generate(new Args { AttentionBackend = "flashinfer" }, new GenerationRequest("x", 4), cpu.Platform);

        act.Should().Throw<InvalidServerArgsException>().WithMessage("Unknown attention backend 'flashinfer'. Platform 'cpu' offers: simd.");
    }

    [Fact]
    public void An_unknown_model_is_refused_with_the_embedded_name()
    {
        using var cpu = new FakeCpu();

        var act = () => Engine.Generate(new Args { ModelPath = "meta-llama/Llama-3-8B" }, new GenerationRequest("x", 4), cpu.Platform);

        act.Should().Throw<InvalidServerArgsException>().WithMessage("Unknown model 'meta-llama/Llama-3-8B'*'sgl-tiny'*");
    }
}
