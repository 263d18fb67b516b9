using System.Text.Json;
using Sgl.Platforms;
using Sgl.Runtime.Distributed;
using Sgl.Runtime.Entrypoints;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Tests.Serving;

/// <summary>A worker's side of a multi-process launch, run in this process against a real store; the whole launch is in Sgl.Cli.Tests.</summary>
[Collection(nameof(WorkerGroupTests))] // the worker reads and clears a process-wide environment variable
public sealed class WorkerGroupTests
{
    [Theory]
    [InlineData("rocm", 0, "the launcher selected platform 'cpu', but this worker selected 'rocm'*same SGL_* settings and plugin home*")]
    [InlineData(null, 0, "the launcher selected platform 'cpu', but this worker selected none: no plugin*")]
    [InlineData("cpu", 3, "the launcher gave rank 1 device 3, but this worker's platform maps it to device 0*")]
    public void A_worker_that_does_not_select_the_launchers_platform_and_device_reports_it_and_runs_nothing(string? selected, int launcherDevice, string expected)
    {
        using var cpu = new FakeCpu(cores: 4);
        using var store = RendezvousServer.Start("127.0.0.1:0", maxConnections: 2);
        store.Publish(WorkerKeys.Job, JsonSerializer.SerializeToUtf8Bytes(
            new WorkerJob("cpu", [0, launcherDevice], new Args { TpSize = 2 }, "hi", 2, false), WorkerJsonContext.Default.WorkerJob));
        Environment.SetEnvironmentVariable(WorkerGroup.SecretVariable, store.SecretHex);
        var error = new StringWriter();

        var exit = WorkerGroup.RunWorker(store.Address, 1, () => (selected, selected is null ? null : cpu.Platform, selected is null ? "no plugin" : null), error);

        exit.Should().Be(1);
        var failure = JsonSerializer.Deserialize(store.TryRead(WorkerKeys.Failed(1))!, WorkerJsonContext.Default.WorkerFailure)!;
        failure.Kind.Should().Be(WorkerFailureKind.Disagreement);
        failure.Message.Should().Match(expected);
        error.ToString().Should().StartWith("error: rank 1: ");
        store.TryRead(WorkerKeys.Result).Should().BeNull();
        Environment.GetEnvironmentVariable(WorkerGroup.SecretVariable).Should().BeNull("nothing the worker starts inherits the secret");
    }

    [Fact]
    public void A_worker_started_by_hand_is_told_to_use_sgl_launch()
    {
        Environment.SetEnvironmentVariable(WorkerGroup.SecretVariable, null);
        var error = new StringWriter();

        var exit = WorkerGroup.RunWorker("127.0.0.1:1", 0, () => throw new InvalidOperationException("must not select"), error);

        exit.Should().Be(2);
        error.ToString().Should().Contain("is started by 'sgl launch --tp-size N'");
    }

    [Theory]
    [InlineData(137, "was killed by signal 9 (SIGKILL: out of memory, or killed)")]
    [InlineData(139, "was killed by signal 11 (SIGSEGV: a crash in native code)")]
    [InlineData(1, "exited with code 1")]
    public void A_dead_workers_exit_reads_as_what_happened(int exitCode, string expected) =>
        WorkerGroup.ExitDescription(exitCode).Should().Be(expected);
}
