using Sgl.Platforms;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Testing;
using Sgl.Runtime.ServerArgs;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

public sealed class ServerArgsTests
{
    [Fact]
    public void Parser_reads_what_was_given_and_leaves_the_rest_unset()
    {
        var args = ServerArgsParser.Parse(["--tp-size", "2", "--attention-backend", "simd", "--mem-fraction-static", "0.3", "--disable-graph-capture", "--dtype", "BFloat16", "--chunked-prefill-size", "64"]);
        var alias = ServerArgsParser.Parse(["--disable-cuda-graph"]);

        args.TpSize.Should().Be(2);
        args.AttentionBackend.Should().Be("simd");
        args.MemFractionStatic.Should().Be(0.3);
        args.DisableGraphCapture.Should().BeTrue();
        args.DataType.Should().Be(ElementType.BFloat16);
        args.ChunkedPrefillSize.Should().Be(64);
        alias.DisableGraphCapture.Should().BeTrue("SGLang's flag name still works");
        args.ModelPath.Should().BeNull();
        args.KvCacheDataType.Should().BeNull();
        args.MaxTotalTokens.Should().BeNull();
    }

    [Fact]
    public void Parser_refuses_unknown_options_and_bad_values()
    {
        var act = () => ServerArgsParser.Parse(["--tp-size", "two"]);

        act.Should().Throw<InvalidServerArgsException>().WithMessage("*two*");
    }

    [Fact]
    public void Cpu_defaults_fill_only_what_the_user_left_unset()
    {
        using var cpu = new FakeCpu();

        var defaults = ServerArgsDefaults.Resolve(new Args(), cpu.Platform);
        var user = ServerArgsDefaults.Resolve(new Args { MemFractionStatic = 0.9, KvCacheDataType = ElementType.Float32, DistributedBackend = "mine" }, cpu.Platform);

        defaults.AttentionBackend.Should().Be("simd");
        defaults.MemFractionStatic.Should().Be(0.2);
        defaults.DistributedBackend.Should().Be("gloo");
        defaults.TpSize.Should().Be(1);
        defaults.ModelPath.Should().Be("sgl-tiny");
        defaults.DataType.Should().Be(ElementType.Float32);
        defaults.KvCacheDataType.Should().Be(ElementType.Float32);
        defaults.ChunkedPrefillSize.Should().Be(512);
        user.MemFractionStatic.Should().Be(0.9);
        user.DistributedBackend.Should().Be("mine");
        user.AttentionBackend.Should().Be("simd");
    }

    [Fact]
    public void User_values_win_even_over_a_platform_that_overwrites_them()
    {
        var platform = new MockPlatform
        {
            CapabilitiesFactory = _ => new PlatformCapabilities { MaxLocalRanks = 8 },
            ServerArgsDefaults = a =>
            {
                a.TpSize = 4;
                a.MemFractionStatic = 0.1;
                a.AttentionBackend = "platform-choice";
                a.DisableGraphCapture = true;
                a.ChunkedPrefillSize = 16;
            },
        };
        var user = new Args { TpSize = 2, MemFractionStatic = 0.7, AttentionBackend = "user-choice", DisableGraphCapture = false };

        var resolved = ServerArgsDefaults.Resolve(user, platform);

        resolved.TpSize.Should().Be(2);
        resolved.MemFractionStatic.Should().Be(0.7);
        resolved.AttentionBackend.Should().Be("user-choice");
        resolved.DisableGraphCapture.Should().BeFalse();
        resolved.ChunkedPrefillSize.Should().Be(16, "values the user left unset take the platform's default");
        user.ChunkedPrefillSize.Should().BeNull("the user's object is not changed");
    }

    [Theory]
    [InlineData("--dtype", "*--dtype BFloat16 is not supported by platform 'cpu', which computes in Float32; use --dtype Float32.")]
    [InlineData("--kv-cache-dtype", "*--kv-cache-dtype BFloat16 is not supported by platform 'cpu', which stores KV caches in Float32; use --kv-cache-dtype Float32.")]
    public void Element_types_the_platform_does_not_declare_are_refused_before_anything_is_built(string option, string message)
    {
        using var cpu = new FakeCpu();
        var args = option == "--dtype" ? new Args { DataType = ElementType.BFloat16 } : new Args { KvCacheDataType = ElementType.BFloat16 };

        var act = () => ServerArgsDefaults.Resolve(args, cpu.Platform);

        act.Should().Throw<InvalidServerArgsException>().WithMessage(message);
    }

    [Fact]
    public void The_benchmark_model_takes_the_platforms_element_type_when_its_own_is_not_supported()
    {
        using var cpu = new FakeCpu();

        var resolved = ServerArgsDefaults.Resolve(new Args { ModelPath = "sgl-synthetic-1b" }, cpu.Platform);

        resolved.DataType.Should().Be(ElementType.Float32, "the cpu platform computes in float32, and its default wins over the model's bfloat16");
    }
}
