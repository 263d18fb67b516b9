using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sgl.Cli.Tests.Support;
using Sgl.Platforms.Testing;

namespace Sgl.Cli.Tests;

/// <summary><c>sgl launch --tp-size N</c> with one worker process per rank, through the real sgl executable.</summary>
public sealed class MultiProcessLaunchTests : IDisposable
{
    private readonly FakeSystemRoot _root = new FakeSystemRoot().WithCpuInfo("Fake Xeon", 2).WithMemInfo(8L << 30, 6L << 30);

    public void Dispose() => _root.Dispose();

    private Dictionary<string, string?> Environment => new() { ["SGL_SYSTEM_ROOT"] = _root.Root };

    [Fact]
    public async Task Two_worker_processes_generate_the_tokens_that_one_rank_and_two_threads_do()
    {
        var processes = await Launch("--tp-size", "2");
        var threads = await Launch("--tp-size", "2", "--tp-workers", "thread");
        var single = await Launch("--tp-size", "1");

        var plan = processes.GetProperty("plan");
        plan.GetProperty("workerProcesses").GetBoolean().Should().BeTrue();
        plan.GetProperty("communicator").GetString().Should().Be("shm");
        threads.GetProperty("plan").GetProperty("workerProcesses").GetBoolean().Should().BeFalse();
        threads.GetProperty("plan").GetProperty("communicator").GetString().Should().Be("inproc");
        Ids(processes).Should().HaveCount(16).And.Equal(Ids(threads), "the shared segment sums in the in-process order, bit for bit")
            .And.Equal(Ids(single));
    }

    [Fact]
    public async Task A_worker_that_dies_takes_the_group_down_and_the_launcher_names_its_rank()
    {
        using var launcher = SglProcess.Start(Environment, "launch", "--tp-size", "2", "--max-new-tokens", "2000");
        var output = launcher.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = launcher.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var rank1 = await WaitForWorker(launcher.Id, rank: 1);
        var rank0 = await WaitForWorker(launcher.Id, rank: 0);

        Process.GetProcessById(rank1).Kill();
        await launcher.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        launcher.ExitCode.Should().Be(3);
        (await error).Should().Contain(string.Create(CultureInfo.InvariantCulture,
            $"error: worker rank 1 (pid {rank1}) was killed by signal 9 (SIGKILL: out of memory, or killed); every other worker was stopped."));
        (await output).Should().NotContain("generated");
        IsRunning(rank0).Should().BeFalse("the launcher stops the rest of the group");
    }

    [Fact]
    public async Task A_worker_left_waiting_for_a_dead_peer_stops_when_its_launcher_is_killed_too()
    {
        using var launcher = SglProcess.Start(Environment, "launch", "--tp-size", "2", "--max-new-tokens", "2000");
        var rank0 = await WaitForWorker(launcher.Id, rank: 0);
        var rank1 = await WaitForWorker(launcher.Id, rank: 1);
        // Both ranks have joined the shared segment: from here on rank 0 waits for rank 1 at every all-reduce.
        await WaitUntil(() => MapsSharedSegment(rank0) && MapsSharedSegment(rank1), "both workers to map the shared segment");

        launcher.Kill(); // SIGKILL: nothing is left to stop the workers
        Process.GetProcessById(rank1).Kill();

        // Rank 0 now waits for a peer that is gone, with no launcher to kill it: only its own watch ends it.
        await WaitUntil(() => !IsRunning(rank0), "rank 0 to notice that its launcher is gone");
    }

    [Fact]
    public async Task A_rendezvous_port_in_use_is_named_before_any_worker_starts()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var (code, output, error) = await SglProcess.RunAsync(Environment, "launch", "--tp-size", "2", "--dist-init-addr", $"127.0.0.1:{port}");

        code.Should().Be(2);
        error.Should().Contain($"error: --dist-init-addr 127.0.0.1:{port}: port {port} on 127.0.0.1 is already in use; pick a free port, or leave --dist-init-addr out to take one.")
            .And.NotContain("[rank");
        output.Should().NotContain("launch plan");
    }

    [Fact]
    public async Task More_ranks_than_the_platform_can_run_is_refused_before_any_worker_starts()
    {
        var (code, _, error) = await SglProcess.RunAsync(Environment, "launch", "--tp-size", "4");

        code.Should().Be(2);
        error.Should().Contain("--tp-size 4 is more than the 2 rank(s) platform 'cpu' can run").And.NotContain("[rank").And.NotContain("starting 4 worker processes");
    }

    [Fact]
    public async Task An_unknown_tp_workers_setting_is_named_with_the_choices()
    {
        var environment = Environment;
        environment["SGL_TP_WORKERS"] = "fork";

        var (code, _, error) = await SglProcess.RunAsync(environment, "launch", "--tp-size", "2");

        code.Should().Be(2);
        error.Should().Contain("error: SGL_TP_WORKERS='fork' is not one of: process, thread.").And.NotContain("[rank");
    }

    [Fact]
    public async Task A_worker_verb_run_by_hand_says_to_use_launch()
    {
        var (code, _, error) = await SglProcess.RunAsync(Environment, "launch-worker", "--rank", "0", "--rendezvous", "127.0.0.1:1");

        code.Should().Be(2);
        error.Should().Contain("'launch-worker' is started by 'sgl launch --tp-size N'");
    }

    private async Task<JsonElement> Launch(params string[] args)
    {
        var (code, output, error) = await SglProcess.RunAsync(Environment, ["launch", "--json", "--max-new-tokens", "16", .. args]);
        code.Should().Be(0, error);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static int[] Ids(JsonElement launch) => launch.GetProperty("outputTokenIds").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    /// <summary>The pid of <paramref name="launcher"/>'s worker for <paramref name="rank"/>, from /proc, once it exists.</summary>
    private static async Task<int> WaitForWorker(int launcher, int rank)
    {
        var pid = 0;
        await WaitUntil(() => (pid = FindWorker(launcher, rank)) != 0, $"launcher {launcher} to start the worker for rank {rank}");
        return pid;
    }

    private static int FindWorker(int launcher, int rank)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var parent = File.ReadAllLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal))?[5..].Trim();
                var rankAt = Array.IndexOf(arguments, "--rank");
                if (parent == launcher.ToString(CultureInfo.InvariantCulture) && arguments.Contains("launch-worker")
                    && rankAt >= 0 && arguments[rankAt + 1] == rank.ToString(CultureInfo.InvariantCulture))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // It exited while we looked.
            }
        }

        return 0;
    }

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited 30 s for {what}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    private static bool MapsSharedSegment(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/maps").Contains("/dev/shm/sgl-tp-", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsRunning(int pid) => File.Exists($"/proc/{pid}/status")
        && !File.ReadAllLines($"/proc/{pid}/status").Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z'));
}
