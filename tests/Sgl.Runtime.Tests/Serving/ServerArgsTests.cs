using Sgl.Platforms.ExtensionPoints;
using Sgl.Platforms.Testing;
using Sgl.Runtime.ServerArgs;
using Args = Sgl.Platforms.ExtensionPoints.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

public sealed class ServerArgsTests
{
    [Fact]
    public void Parser_reads_what_was_given_and_leaves_the_rest_unset()
    {
        var args = ServerArgsParser.Parse(["--tp-size", "2", "--attention-backend", "simd", "--mem-fraction-static", "0.3", "--disable-cuda-graph"]);

        args.TpSize.Should().Be(2);
        args.AttentionBackend.Should().Be("simd");
        args.MemFractionStatic.Should().Be(0.3);
        args.DisableCudaGraph.Should().BeTrue();
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
        var user = ServerArgsDefaults.Resolve(new Args { MemFractionStatic = 0.9, KvCacheDataType = KvCacheDataType.Float32, DistributedBackend = "mine" }, cpu.Platform);

        defaults.AttentionBackend.Should().Be("simd");
        defaults.MemFractionStatic.Should().Be(0.2);
        defaults.DistributedBackend.Should().Be("gloo");
        defaults.TpSize.Should().Be(1);
        defaults.ModelPath.Should().Be("sgl-tiny");
        user.MemFractionStatic.Should().Be(0.9);
        user.DistributedBackend.Should().Be("mine");
        user.AttentionBackend.Should().Be("simd");
    }

    [Fact]
    public void User_values_win_even_over_a_platform_that_overwrites_them()
    {
        var platform = new MockPlatform
        {
            LocalRanks = 8,
            ServerArgsDefaults = a =>
            {
                a.TpSize = 4;
                a.MemFractionStatic = 0.1;
                a.AttentionBackend = "platform-choice";
                a.DisableCudaGraph = true;
                a.PageSize = 16;
            },
        };
        var user = new Args { TpSize = 2, MemFractionStatic = 0.7, AttentionBackend = "user-choice", DisableCudaGraph = false };

        var resolved = ServerArgsDefaults.Resolve(user, platform);

        resolved.TpSize.Should().Be(2);
        resolved.MemFractionStatic.Should().Be(0.7);
        resolved.AttentionBackend.Should().Be("user-choice");
        resolved.DisableCudaGraph.Should().BeFalse();
        resolved.PageSize.Should().Be(16, "values the user left unset take the platform's default");
        user.PageSize.Should().BeNull("the user's object is not changed");
    }
}
