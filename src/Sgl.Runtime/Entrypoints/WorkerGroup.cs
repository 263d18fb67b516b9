using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Sgl.Platforms;
using Sgl.Platforms.Serving;
using Sgl.Runtime.Distributed;
using Sgl.Runtime.ServerArgs;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Entrypoints;

/// <summary>
/// Tensor parallelism with one worker process per rank, as SGLang and vLLM run it. The launcher resolves the platform
/// once, checks the arguments against it, serves a rendezvous store, and starts every worker with its decision
/// (<c>SGL_PLATFORM=&lt;name&gt;</c>, the rank and its device). Each worker checks that it selected the same platform and
/// device, runs its rank, and reports through the store; rank 0's result is the group's. A worker that fails or dies
/// takes the group down, and the launcher names the rank.
/// </summary>
public static class WorkerGroup
{
    /// <summary>The hidden <c>sgl</c> verb a worker runs.</summary>
    public const string WorkerVerb = "launch-worker";

    /// <summary>The environment variable that hands a worker the rendezvous secret (kept off the command line, which every user can read).</summary>
    public const string SecretVariable = "SGL_RENDEZVOUS_SECRET";

    /// <summary>The environment variable that tells a worker which device the launcher gave its rank (for its logs and for the user).</summary>
    public const string DeviceIndexVariable = "SGL_DEVICE_INDEX";

    /// <summary>How long a worker waits for the store and for its peers at the first rendezvous.</summary>
    internal static readonly TimeSpan RendezvousTimeout = TimeSpan.FromMinutes(5);

    private const int TailLines = 20;

    /// <summary>Runs <paramref name="request"/> with one worker process per rank and returns rank 0's result.</summary>
    /// <param name="userArgs">The server arguments the user gave.</param>
    /// <param name="request">The prompt and how many tokens to generate.</param>
    /// <param name="platformName">The name of the selected platform, which every worker is told to select.</param>
    /// <param name="platform">The selected platform, which checks the arguments (more ranks than devices fails here, before any worker starts).</param>
    /// <param name="command">How to start a worker; asked for once the arguments pass, so an argument error is reported first.</param>
    /// <param name="rendezvousAddress"><c>host:port</c> for the store; null takes a free port on loopback.</param>
    /// <param name="workerLog">Where the workers' output goes, each line prefixed with its rank.</param>
    /// <exception cref="InvalidServerArgsException">An argument is invalid, or the rendezvous port is in use.</exception>
    /// <exception cref="PlatformCapabilityException">A rank found the platform lacking a part it needs.</exception>
    /// <exception cref="GenerationStoppedException">A rank's generation stopped part-way.</exception>
    /// <exception cref="WorkerFailedException">A worker failed otherwise, or died.</exception>
    public static GenerationResult Launch(Args userArgs, GenerationRequest request, string platformName, Platform platform, Func<WorkerCommand> command, string? rendezvousAddress, TextWriter workerLog)
    {
        ArgumentNullException.ThrowIfNull(userArgs);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(workerLog);
        var (args, _) = Engine.Prepare(userArgs, request, platform);
        var start = command();
        var tp = args.TpSize!.Value;
        var devices = Enumerable.Range(0, tp).Select(platform.GetDeviceIndex).ToArray();

        using var store = RendezvousServer.Start(rendezvousAddress ?? "127.0.0.1:0", maxConnections: tp + 2);
        var job = new WorkerJob(platformName, devices, userArgs, request.Prompt, request.MaxNewTokens, request.ReturnPrefillLogits);
        store.Publish(WorkerKeys.Job, JsonSerializer.SerializeToUtf8Bytes(job, WorkerJsonContext.Default.WorkerJob));

        var workers = new List<Worker>();
        try
        {
            for (var rank = 0; rank < tp; rank++)
            {
                workers.Add(Worker.Start(start, rank, devices[rank], platformName, store, workerLog));
            }

            return Supervise(workers, store);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }

    /// <summary>A worker's side: meets the launcher, checks its decision, runs <paramref name="rank"/> and reports.</summary>
    /// <param name="rendezvousAddress">The launcher's store.</param>
    /// <param name="rank">This worker's rank.</param>
    /// <param name="selectPlatform">Selects the platform (the launcher set <c>SGL_PLATFORM</c>): its name and the platform, or the error.</param>
    /// <param name="error">Where the worker reports what went wrong.</param>
    /// <returns>0 when the rank finished; 1 otherwise (the launcher reads why from the store).</returns>
    public static int RunWorker(string rendezvousAddress, int rank, Func<(string? Name, Platform? Platform, string? Error)> selectPlatform, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(selectPlatform);
        ArgumentNullException.ThrowIfNull(error);
        var secret = Environment.GetEnvironmentVariable(SecretVariable);
        if (string.IsNullOrEmpty(secret))
        {
            error.WriteLine($"error: '{WorkerVerb}' is started by 'sgl launch --tp-size N', which hands it {SecretVariable}; run 'sgl launch' instead.");
            return 2;
        }

        // Nothing this process starts (a probe host, plugin code) needs the secret.
        Environment.SetEnvironmentVariable(SecretVariable, null);
        OrphanWatch.Start(error);

        RendezvousClient store;
        WorkerJob job;
        try
        {
            store = RendezvousClient.Connect(rendezvousAddress, secret, rank, RendezvousTimeout);
            job = JsonSerializer.Deserialize(store.Read(WorkerKeys.Job, RendezvousTimeout, CancellationToken.None), WorkerJsonContext.Default.WorkerJob)
                ?? throw new InvalidDataException("empty job");
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidDataException or JsonException or InvalidServerArgsException)
        {
            error.WriteLine($"error: rank {rank} could not meet its launcher at {rendezvousAddress}: {e.Message}");
            return 1;
        }

        using (store)
        {
            var failure = Run(job, rank, selectPlatform, store);
            if (failure is null)
            {
                return 0;
            }

            error.WriteLine($"error: rank {rank}: {failure.Message}");
            try
            {
                store.Publish(WorkerKeys.Failed(rank), JsonSerializer.SerializeToUtf8Bytes(failure, WorkerJsonContext.Default.WorkerFailure));
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                // The launcher still sees the exit code and this worker's last lines.
            }

            return 1;
        }
    }

    private static WorkerFailure? Run(WorkerJob job, int rank, Func<(string? Name, Platform? Platform, string? Error)> selectPlatform, RendezvousClient store)
    {
        if (rank < 0 || rank >= job.DeviceIndexes.Count)
        {
            return new WorkerFailure(rank, WorkerFailureKind.Disagreement, string.Create(CultureInfo.InvariantCulture, $"rank {rank} is outside the launcher's group of {job.DeviceIndexes.Count}."));
        }

        var (name, platform, selectionError) = selectPlatform();
        if (platform is null || name != job.Platform)
        {
            return new WorkerFailure(rank, WorkerFailureKind.Disagreement,
                $"the launcher selected platform '{job.Platform}', but this worker selected {(name is null ? "none" : $"'{name}'")}{(selectionError is null ? "" : $": {selectionError}")}. Every rank must load the same plugins: check that the workers see the same SGL_* settings and plugin home as the launcher.");
        }

        var device = platform.GetDeviceIndex(rank);
        if (device != job.DeviceIndexes[rank])
        {
            return new WorkerFailure(rank, WorkerFailureKind.Disagreement, string.Create(CultureInfo.InvariantCulture,
                $"the launcher gave rank {rank} device {job.DeviceIndexes[rank]}, but this worker's platform maps it to device {device}; check that the workers see the same device visibility settings ({platform.DeviceVisibilityEnvironmentVariable ?? "none"}) as the launcher."));
        }

        try
        {
            var request = new GenerationRequest(job.Prompt, job.MaxNewTokens) { ReturnPrefillLogits = job.ReturnPrefillLogits };
            var result = Engine.GenerateRanks(job.UserArgs, request, platform, rank, store);
            if (rank == 0)
            {
                store.Publish(WorkerKeys.Result, JsonSerializer.SerializeToUtf8Bytes(result, WorkerJsonContext.Default.GenerationResult));
            }

            return null;
        }
        catch (InvalidServerArgsException e)
        {
            return new WorkerFailure(rank, WorkerFailureKind.InvalidArguments, e.Message);
        }
        catch (PlatformCapabilityException e)
        {
            return new WorkerFailure(rank, WorkerFailureKind.MissingCapability, e.Message) { Plan = e.PlanSoFar };
        }
        catch (GenerationStoppedException e)
        {
            return new WorkerFailure(rank, WorkerFailureKind.Stopped, e.Message) { Plan = e.Plan, PromptTokenIds = e.PromptTokenIds, OutputTokenIds = e.OutputTokenIds };
        }
        catch (Exception e)
        {
            return new WorkerFailure(rank, WorkerFailureKind.Error, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Waits for rank 0's result while watching every worker; the first failure or death stops them all.</summary>
    private static GenerationResult Supervise(List<Worker> workers, RendezvousServer store)
    {
        var watched = new List<string> { WorkerKeys.Result };
        watched.AddRange(workers.Select(w => WorkerKeys.Failed(w.Rank)));
        while (true)
        {
            var published = store.WaitAny(watched, TimeSpan.FromMilliseconds(100));
            if (published is { Key: WorkerKeys.Result } result)
            {
                var generation = Read(result.Value, WorkerJsonContext.Default.GenerationResult, "its result");
                // Every rank ran the same steps; wait for the others to finish theirs and leave cleanly.
                foreach (var worker in workers)
                {
                    if (!worker.WaitForExit(TimeSpan.FromSeconds(60)) || worker.ExitCode != 0)
                    {
                        throw Died(worker, workers, store);
                    }
                }

                return generation;
            }

            if (published is { } failed)
            {
                StopAll(workers);
                throw Rethrow(Read(failed.Value, WorkerJsonContext.Default.WorkerFailure, "its failure"));
            }

            // A rank 0 that exits right after publishing its result is not dead: the next look finds the result.
            if (workers.FirstOrDefault(w => w.HasExited && (w.ExitCode != 0 || w.Rank == 0)) is { } dead && store.TryRead(WorkerKeys.Result) is null)
            {
                throw Died(dead, workers, store);
            }
        }
    }

    /// <summary>A worker that exited without a result: its own report if it left one, else its exit and last lines.</summary>
    private static Exception Died(Worker dead, List<Worker> workers, RendezvousServer store)
    {
        StopAll(workers);
        if (store.TryRead(WorkerKeys.Failed(dead.Rank)) is { } report)
        {
            return Rethrow(Read(report, WorkerJsonContext.Default.WorkerFailure, "its failure"));
        }

        var how = dead.HasExited ? ExitDescription(dead.ExitCode) : "did not exit after rank 0 finished";
        var tail = dead.Tail();
        return new WorkerFailedException(string.Create(CultureInfo.InvariantCulture,
            $"worker rank {dead.Rank} (pid {dead.ProcessId}) {how}; every other worker was stopped.{(tail.Length > 0 ? $" Its last output:{Environment.NewLine}{tail}" : " It wrote nothing.")}"))
        { Rank = dead.Rank };
    }

    /// <summary>A worker's report; code running in a worker (a plugin's) could write anything there, so a bad one is a failure, not a crash.</summary>
    private static T Read<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new WorkerFailedException($"a worker reported {what} in a form the launcher cannot read ({e.Message}); every worker was stopped.", e);
        }
    }

    private static Exception Rethrow(WorkerFailure failure) => failure.Kind switch
    {
        WorkerFailureKind.InvalidArguments => new InvalidServerArgsException(failure.Message),
        WorkerFailureKind.MissingCapability => new PlatformCapabilityException($"rank {failure.Rank}: {failure.Message}") { PlanSoFar = failure.Plan },
        WorkerFailureKind.Stopped => new GenerationStoppedException($"rank {failure.Rank}: {failure.Message}")
        {
            Plan = failure.Plan, PromptTokenIds = failure.PromptTokenIds, OutputTokenIds = failure.OutputTokenIds,
        },
        _ => new WorkerFailedException($"worker rank {failure.Rank} failed: {failure.Message} Every other worker was stopped.") { Rank = failure.Rank },
    };

    private static void StopAll(List<Worker> workers)
    {
        foreach (var worker in workers)
        {
            worker.Kill();
        }
    }

    /// <summary>An exit code as a user reads it: .NET reports a child killed by signal N as 128 + N.</summary>
    internal static string ExitDescription(int exitCode) => exitCode switch
    {
        > 128 and < 128 + 65 => string.Create(CultureInfo.InvariantCulture, $"was killed by signal {exitCode - 128}{SignalName(exitCode - 128)}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"exited with code {exitCode}"),
    };

    private static string SignalName(int signal) => signal switch
    {
        6 => " (SIGABRT)",
        9 => " (SIGKILL: out of memory, or killed)",
        11 => " (SIGSEGV: a crash in native code)",
        15 => " (SIGTERM)",
        _ => "",
    };

    /// <summary>One worker process and the last lines it wrote.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly Process _process;
        private readonly Queue<string> _tail = new();

        private Worker(Process process, int rank)
        {
            _process = process;
            Rank = rank;
        }

        public int Rank { get; }

        public int ProcessId => _process.Id;

        public bool HasExited => _process.HasExited;

        public int ExitCode => _process.ExitCode;

        public static Worker Start(WorkerCommand command, int rank, int device, string platformName, RendezvousServer store, TextWriter log)
        {
            var start = new ProcessStartInfo(command.FileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in command.LeadingArguments)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var argument in new[] { WorkerVerb, "--rank", rank.ToString(CultureInfo.InvariantCulture), "--rendezvous", store.Address })
            {
                start.ArgumentList.Add(argument);
            }

            // The launcher's decision: every rank selects this platform without probing the others.
            start.Environment[PlatformEnvironment.Platform] = platformName;
            start.Environment[DeviceIndexVariable] = device.ToString(CultureInfo.InvariantCulture);
            start.Environment[SecretVariable] = store.SecretHex;
            // NVLink SHARP (multicast) stays off: it needs fabric-manager support that shared machines often lack.
            start.Environment.TryAdd("NCCL_NVLS_ENABLE", "0");

            var process = new Process { StartInfo = start };
            var worker = new Worker(process, rank);
            process.OutputDataReceived += (_, line) => worker.Forward(line.Data, log);
            process.ErrorDataReceived += (_, line) => worker.Forward(line.Data, log);
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                process.Dispose();
                throw new WorkerFailedException($"Cannot start worker rank {rank} ('{command.FileName}'): {e.Message}", e) { Rank = rank };
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return worker;
        }

        public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

        public string Tail()
        {
            // Output is forwarded asynchronously: let the last lines land.
            if (_process.HasExited)
            {
                _process.WaitForExit();
            }

            lock (_tail)
            {
                return string.Join(Environment.NewLine, _tail.Select(l => $"  [rank {Rank}] {l}"));
            }
        }

        public void Kill()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private void Forward(string? line, TextWriter log)
        {
            if (line is null)
            {
                return;
            }

            lock (_tail)
            {
                _tail.Enqueue(line);
                if (_tail.Count > TailLines)
                {
                    _tail.Dequeue();
                }
            }

            lock (log)
            {
                log.WriteLine($"[rank {Rank}] {line}");
            }
        }
    }

    /// <summary>Ends a worker whose launcher is gone, so no rank spins forever in a collective waiting for peers that were never told to stop.</summary>
    private static class OrphanWatch
    {
        public static void Start(TextWriter error)
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            {
                return;
            }

            var parent = getppid();
            new Thread(() =>
            {
                while (true)
                {
                    Thread.Sleep(500);
                    if (getppid() != parent)
                    {
                        error.WriteLine($"error: the launcher (pid {parent}) is gone; this worker stops.");
                        error.Flush();
                        Environment.Exit(1);
                    }
                }
            })
            { IsBackground = true, Name = "sgl-orphan-watch" }.Start();
        }

        [DllImport("libc", ExactSpelling = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int getppid();
    }
}
