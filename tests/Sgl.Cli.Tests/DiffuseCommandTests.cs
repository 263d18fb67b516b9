using System.CommandLine;
using Sgl.Cli.Commands;
using Sgl.Platforms.BuiltIn.Cpu;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;
using Sgl.Platforms.Testing;

namespace Sgl.Cli.Tests;

public sealed class DiffuseCommandTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon 9000", 2).WithMemInfo(8L << 30, 4L << 30);

    [Fact]
    public void Diffuse_writes_a_png_and_the_same_seed_writes_the_same_file()
    {
        var first = _root.PathOf("first.png");
        var second = _root.PathOf("second.png");

        var (code, output, error) = Run("diffuse", "--output", first, "--steps", "3", "--seed", "42");
        Run("diffuse", "--output", second, "--steps", "3", "--seed", "42").Code.Should().Be(0);

        code.Should().Be(0, error);
        output.Should().Contain("attention backend  simd").And.Contain("wrote " + first);
        var bytes = File.ReadAllBytes(first);
        bytes.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        File.ReadAllBytes(second).Should().Equal(bytes);
    }

    [Fact]
    public void A_bad_size_gives_one_line_on_stderr_and_exit_code_2()
    {
        var (code, _, error) = Run("diffuse", "--output", _root.PathOf("x.png"), "--width", "33");

        code.Should().Be(2);
        error.Should().Be("error: --width must be a multiple of 4 between 4 and 256; got 33.\n");
    }

    [Fact]
    public void An_output_folder_that_does_not_exist_yet_is_made_as_in_a_fresh_clone()
    {
        var png = Path.Combine(_root.PathOf("artifacts"), "out.png");

        var (code, _, error) = Run("diffuse", "--output", png, "--steps", "2");

        code.Should().Be(0, error);
        File.Exists(png).Should().BeTrue();
    }

    public void Dispose() => _root.Dispose();

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        var cpu = new CpuPlatform();
        cpu.Probe(new ProbeContext(_root.View()));
        var report = new SelectionReport { Selected = "cpu", Platform = cpu, Candidates = [] };
        var root = new RootCommand { DiffuseCommand.Create(() => report) };
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }
}
