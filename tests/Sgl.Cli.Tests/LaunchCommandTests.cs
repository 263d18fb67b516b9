using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json;
using Sgl.Cli.Commands;
using Sgl.Platforms;
using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Testing;
using Sgl.Platforms.Tests.Support;
using Sgl.Runtime.Models;

namespace Sgl.Cli.Tests;

public sealed class LaunchCommandTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon 9000", 2).WithMemInfo(8L << 30, 4L << 30);

    [Fact]
    public void Launch_prints_the_selection_the_plan_and_the_generated_tokens()
    {
        var (code, output, error) = Run("launch", "--max-new-tokens", "12");

        code.Should().Be(0, error);
        output.Should().Contain("platform selection: cpu")
            .And.Contain("attention backend  simd")
            .And.Contain("graph runner       eager (platform 'cpu' has no graph capture)")
            .And.Contain("kv pool            Float32 on cpu:0 (Fake Xeon 9000)")
            .And.Contain("communicator       none (distributed backend gloo)")
            .And.Contain("decode step        ")
            .And.Contain("generated 12 tokens")
            .And.Contain("tokens/s")
            .And.Contain("per decode step 8 bytes went to the device and 4 came back");
        error.Should().BeEmpty();
    }

    [Fact]
    public void Launch_json_is_one_object_with_the_token_ids_and_tp2_matches_tp1()
    {
        var tp1 = Json(Run("launch", "--json", "--max-new-tokens", "16", "--tp-size", "1"));
        var tp2 = Json(Run("launch", "--json", "--max-new-tokens", "16", "--tp-size", "2", "--tp-workers", "thread"));

        tp1.GetProperty("selection").GetProperty("selected").GetString().Should().Be("cpu");
        tp1.GetProperty("plan").GetProperty("kvPoolTokens").GetInt32().Should().BePositive();
        var ids1 = tp1.GetProperty("outputTokenIds").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var ids2 = tp2.GetProperty("outputTokenIds").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        ids1.Should().HaveCount(16);
        ids2.Should().Equal(ids1);
        tp2.GetProperty("plan").GetProperty("tpSize").GetInt32().Should().Be(2);
    }

    [Theory]
    [InlineData(2, "--tp-size 4 is more than the 2 rank(s) platform 'cpu' can run*", "--tp-size", "4")]
    [InlineData(2, "--mem-fraction-static must be in (0, 1]*got 1.5.", "--mem-fraction-static", "1.5")]
    [InlineData(2, "--mem-fraction-static must be in (0, 1]*got 0.", "--mem-fraction-static", "0")]
    [InlineData(2, "Unknown attention backend 'triton'. Platform 'cpu' offers: simd.", "--attention-backend", "triton")]
    [InlineData(2, "Unknown model 'llama'*'sgl-tiny'*", "--model", "llama")]
    public void Bad_input_gives_one_line_on_stderr_and_a_non_zero_exit(int exitCode, string message, params string[] args)
    {
        var (code, _, error) = Run(["launch", .. args]);

        code.Should().Be(exitCode);
        error.Should().Match("error: " + message + "\n");
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle("no stack trace for user errors");
    }

    [Fact]
    public void Launch_explains_its_output_the_prompt_the_random_weights_the_special_tokens_and_the_decode_counts()
    {
        var (code, output, _) = Run("launch", "--prompt", "Hi", "--max-new-tokens", "32");

        code.Should().Be(0);
        output.Should().Contain("prompt: \"Hi\" (3 tokens: <bos> and one per UTF-8 byte)")
            .And.Contain("sgl-tiny is a tiny byte-level decoder with seeded random weights: it runs for real, but its text is meaningless.")
            .And.Contain("<bos> and <eos> are the begin- and end-of-sequence tokens")
            .And.MatchRegex(@"generated (\d+) = 1 token from the prefill \+ \d+ decode steps \(one token each\)");
        var generated = int.Parse(Regex.Match(output, @"generated (\d+) tokens:").Groups[1].Value, CultureInfo.InvariantCulture);
        var steps = int.Parse(Regex.Match(output, @"decode (\d+) steps in").Groups[1].Value, CultureInfo.InvariantCulture);
        steps.Should().Be(generated - 1);
        Regex.Match(output, "generated \\d+ tokens: \"(.*)\"").Groups[1].Value.Should().NotMatchRegex("<\\d+>", "special tokens are named");
    }

    [Fact]
    public void A_prompt_with_control_characters_is_shown_escaped()
    {
        var (code, output, _) = Run("launch", "--prompt", "caf\u00e9\u001b[2J", "--max-new-tokens", "2");

        code.Should().Be(0);
        output.Should().Contain("prompt: \"caf\u00e9\\u001b[2J\" (10 tokens: <bos> and one per UTF-8 byte)");
    }

    [Fact]
    public void Special_tokens_are_shown_by_name()
    {
        ByteTokenizer.SpecialTokenName(ByteTokenizer.BeginOfSequence).Should().Be("<bos>");
        ByteTokenizer.SpecialTokenName(ByteTokenizer.EndOfSequence).Should().Be("<eos>");
        ByteTokenizer.SpecialTokenName('a').Should().BeNull();
    }

    [Fact]
    public void A_kv_pool_that_fills_up_mid_run_prints_the_plan_and_the_tokens_so_far_and_exits_3()
    {
        var (code, output, error) = Run("launch", "--max-total-tokens", "20", "--max-new-tokens", "32");

        code.Should().Be(ExitCodes.Incomplete);
        error.Should().Match("error: KV pool exhausted after * generated token(s) (capacity 20 tokens)*\n");
        error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle("no stack trace for user errors");
        output.Should().Contain("launch plan:").And.Contain("kv pool            Float32 on cpu:0 (Fake Xeon 9000), 20 tokens")
            .And.Contain("prompt: \"The platform is\"")
            .And.MatchRegex(@"generated \d+ tokens: "".+""")
            .And.MatchRegex(@"stopped after \d+ of 32 tokens");
    }

    [Fact]
    public void A_kv_pool_that_fills_up_mid_run_gives_the_partial_tokens_in_json()
    {
        var (code, output, _) = Run("launch", "--json", "--max-total-tokens", "20", "--max-new-tokens", "32");

        code.Should().Be(ExitCodes.Incomplete);
        var json = JsonDocument.Parse(output).RootElement;
        json.GetProperty("error").GetString().Should().StartWith("KV pool exhausted");
        json.GetProperty("plan").GetProperty("kvPoolTokens").GetInt32().Should().Be(20);
        json.GetProperty("outputTokenIds").GetArrayLength().Should().BePositive();
    }

    [Fact]
    public void A_platform_that_cannot_run_an_operation_shows_how_far_the_launch_got_and_what_is_missing()
    {
        var platform = new SimulatedDevicePlatform("strict-gpu") { Operations = new HashSet<OperationKind> { OperationKind.MatMul }, CpuFallback = false };
        using (var root = new FakeSystemRoot())
        {
            platform.Probe(new ProbeContext(root.View()));
        }

        var (code, output, error) = Run(platform, "launch", "--max-total-tokens", "64");

        code.Should().Be(ExitCodes.Incomplete);
        output.Should().Contain("kv pool            Float32 on strict-gpu:0 (simulated accelerator), 64 tokens").And.Contain("graph runner       (not reached)");
        error.Should().StartWith("error: Platform 'strict-gpu' could not set up the model: Platform 'strict-gpu' does not run EmbeddingGather(");
    }

    [Fact]
    public void A_launch_on_a_device_reports_the_bytes_each_decode_step_moved()
    {
        var platform = new SimulatedDevicePlatform();
        using (var root = new FakeSystemRoot())
        {
            platform.Probe(new ProbeContext(root.View()));
        }

        var json = Json(Run(platform, "launch", "--max-total-tokens", "64", "--max-new-tokens", "8", "--json"));

        json.GetProperty("decodeBytesToDevicePerStep").GetDouble().Should().Be(8);
        json.GetProperty("decodeBytesToHostPerStep").GetDouble().Should().Be(4);
        json.GetProperty("plan").GetProperty("graphRunner").GetString().Should().Be("simulated-graph");
    }

    [Fact]
    public void Launch_names_the_contribution_that_served_attention_in_the_report_and_the_plan()
    {
        var cpu = ProbedCpu();
        PlatformContributions.Register(cpu, new PlatformContributions(
            [new ContributedPart<AttentionBackendContribution>("fast-attn", 10, "Vendor.FastAttention 2.0.0", new DeviceAttentionContribution())], [], []));

        var (code, output, error) = Run(cpu, "launch", "--max-new-tokens", "4");

        code.Should().Be(0, error);
        output.Should().Contain("attention backend  fast-attn")
            .And.Contain("contribution       attention backend 'fast-attn' (Vendor.FastAttention 2.0.0) serves attention");
    }

    /// <summary>A contributed backend that runs attention through the device.</summary>
    private sealed class DeviceAttentionContribution : AttentionBackendContribution
    {
        public override IAttentionBackend CreateBackend(AttentionBackendContext context) => new DeviceAttention(context.Device, "fast-attn");
    }

    public void Dispose() => _root.Dispose();

    private (int Code, string Output, string Error) Run(params string[] args) => Run(ProbedCpu(), args);

    private static (int Code, string Output, string Error) Run(Platform platform, params string[] args)
    {
        var report = new SelectionReport { Selected = platform.DeviceName, Platform = platform, Candidates = [] };
        var root = new RootCommand { LaunchCommand.Create(() => report) };
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private CpuPlatform ProbedCpu()
    {
        var cpu = new CpuPlatform();
        cpu.Probe(new ProbeContext(_root.View()));
        return cpu;
    }

    private static JsonElement Json((int Code, string Output, string Error) run)
    {
        run.Code.Should().Be(0, run.Error);
        run.Output.Trim().Split('\n').Should().ContainSingle("--json prints one object on one line");
        return JsonDocument.Parse(run.Output).RootElement;
    }
}
