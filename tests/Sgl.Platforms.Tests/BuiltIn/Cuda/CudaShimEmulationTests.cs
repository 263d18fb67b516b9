using System.ComponentModel;
using System.Diagnostics;

namespace Sgl.Platforms.Tests.BuiltIn.Cuda;

/// <summary>
/// The libcuda shim's kernel emulations are the oracle the CUDA device tests compare against, so they are
/// checked on their own: cuda_shim_check.c runs every emulation on hand-computed cases (and the driver
/// semantics the host relies on: launch shapes, capture, graphs, errors).
/// </summary>
public sealed class CudaShimEmulationTests
{
    [Fact]
    public void The_shim_emulates_every_kernel_and_the_driver_as_hand_computed_cases_expect()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "BuiltIn", "Cuda");
        var output = Path.Combine(Path.GetTempPath(), $"sgl-cuda-shim-check-{Environment.ProcessId}");
        Directory.CreateDirectory(output);
        try
        {
            var program = Path.Combine(output, "cuda_shim_check");
            var (built, buildOutput) = Run("gcc", "-O1", "-Wall", "-Wextra", "-Werror", "-o", program,
                Path.Combine(folder, "cuda_shim_check.c"), Path.Combine(folder, "cuda_shim.c"));
            built.Should().Be(0, $"gcc must build the check warning-free:\n{buildOutput}");

            var (exit, report) = Run(program);

            exit.Should().Be(0, report);
            report.Should().Contain("ok: 0 checks failed");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The shim reads its switches from the environment: the check must see none of the test run's.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("CUDA_SHIM_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        try
        {
            using var process = Process.Start(start)!;
            var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output + errors.Result);
        }
        catch (Win32Exception) when (file == "gcc")
        {
            Assert.Skip("gcc is not installed, so the shim check cannot be built; install gcc to run this test.");
            throw;
        }
    }
}
