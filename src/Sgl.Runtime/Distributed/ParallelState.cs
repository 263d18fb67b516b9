using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Sgl.Platforms;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Runtime.Distributed;

/// <summary>
/// The tensor-parallel group: <c>--tp-size</c> ranks with the platform's device communicator
/// (<see cref="ServingHooks.CreateCommunicator"/>) between them. Either every rank is a thread of this process
/// (when a rank fails, the others' collectives are aborted and the first real failure is rethrown), or this process
/// is one rank of a group of worker processes that meet through the launcher's <see cref="GroupRendezvous"/>.
/// </summary>
internal sealed class ParallelState : IDisposable
{
    private readonly Platform _platform;
    private readonly ConcurrentDictionary<string, object> _group = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abort = new();

    private readonly GroupRendezvous? _rendezvous;

    /// <summary>A group of <paramref name="tpSize"/> ranks; this process runs all of them, or only <paramref name="workerRank"/>.</summary>
    /// <param name="platform">The platform every rank runs on.</param>
    /// <param name="tpSize">Ranks in the group.</param>
    /// <param name="workerRank">This process's rank when each rank is its own process, with <paramref name="rendezvous"/>.</param>
    /// <param name="rendezvous">Where the worker processes meet; required with <paramref name="workerRank"/>.</param>
    public ParallelState(Platform platform, int tpSize, int? workerRank = null, GroupRendezvous? rendezvous = null)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentOutOfRangeException.ThrowIfLessThan(tpSize, 1);
        if (workerRank is { } rank)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)rank, (uint)tpSize, nameof(workerRank));
            ArgumentNullException.ThrowIfNull(rendezvous);
        }

        _platform = platform;
        TpSize = tpSize;
        WorkerRank = workerRank;
        _rendezvous = rendezvous;
    }

    public int TpSize { get; }

    /// <summary>This process's rank when each rank is a process of its own; null when this process runs every rank.</summary>
    public int? WorkerRank { get; }

    /// <summary>The local ranks that share a device with <paramref name="localRank"/>, itself included.</summary>
    public int RanksSharingDevice(int localRank)
    {
        var device = _platform.GetDeviceIndex(localRank);
        return Enumerable.Range(0, TpSize).Count(r => _platform.GetDeviceIndex(r) == device);
    }

    /// <summary>
    /// The rank's communicator, or null when none is needed (tp 1): a preferred contribution (priority above 0), else
    /// the platform's own (<paramref name="compute"/>'s serving part), else a gap-filling contribution. A contribution
    /// that throws or declines is left out; <paramref name="contributions"/> says which served and which were left out.
    /// </summary>
    /// <exception cref="PlatformCapabilityException">tp &gt; 1 and nothing gave a communicator.</exception>
    public IDeviceCommunicator? CreateCommunicator(Platform compute, ComputeDevice device, int rank, List<string> contributions)
    {
        if (TpSize == 1)
        {
            return null;
        }

        var context = new DeviceCommunicatorContext(rank, TpSize, rank, _group) { Aborted = _abort.Token, Rendezvous = _rendezvous };
        var contributed = PlatformContributions.Of(compute).Communicators;
        IDeviceCommunicator? FromContribution(bool preferred)
        {
            foreach (var part in contributed.Where(c => c.IsPreferred == preferred))
            {
                try
                {
                    if (part.Part.CreateCommunicator(device, context) is { } communicator)
                    {
                        contributions.Add($"communicator '{part.Name}' ({part.Source}) serves the all-reduce");
                        return communicator;
                    }

                    contributions.Add($"communicator '{part.Name}' ({part.Source}) declined this group");
                }
                catch (Exception e)
                {
                    contributions.Add($"communicator '{part.Name}' ({part.Source}) was left out: {e.Message}");
                }
            }

            return null;
        }

        return FromContribution(preferred: true)
            ?? compute.Serving.CreateCommunicator(device, context)
            ?? FromContribution(preferred: false)
            ?? throw new PlatformCapabilityException(string.Create(CultureInfo.InvariantCulture,
                $"Platform '{compute.DeviceName}' has no device communicator, so --tp-size {TpSize} cannot run on it; use --tp-size 1."));
    }

    /// <summary>
    /// Runs <paramref name="body"/> for every rank of this process, each on its own thread (a single rank runs on the
    /// caller's), and returns the results in rank order: every rank's, or a worker's own alone.
    /// </summary>
    public TResult[] RunRanks<TResult>(Func<int, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (WorkerRank is { } own)
        {
            return [body(own)];
        }

        if (TpSize == 1)
        {
            return [body(0)];
        }

        var results = new TResult[TpSize];
        var errors = new Exception?[TpSize];
        var threads = new Thread[TpSize];
        for (var rank = 0; rank < TpSize; rank++)
        {
            var r = rank;
            threads[r] = new Thread(() =>
            {
                try
                {
                    results[r] = body(r);
                }
                catch (Exception e)
                {
                    errors[r] = e;
                    _abort.Cancel();
                }
            })
            {
                Name = string.Create(CultureInfo.InvariantCulture, $"sgl-tp{r}"),
                IsBackground = true,
            };
            threads[r].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        // The ranks that were only aborted report OperationCanceledException; the cause is elsewhere.
        var cause = errors.FirstOrDefault(e => e is not null and not OperationCanceledException) ?? errors.FirstOrDefault(e => e is not null);
        if (cause is not null)
        {
            ExceptionDispatchInfo.Capture(cause).Throw();
        }

        return results;
    }

    public void Dispose()
    {
        foreach (var value in _group.Values.OfType<IDisposable>())
        {
            value.Dispose();
        }

        _group.Clear();
        _abort.Dispose();
    }
}
