using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Sgl.Platforms;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Devices;
using Sgl.Platforms.Serving;

namespace Sgl.Runtime.Distributed;

/// <summary>
/// The tensor-parallel group: <c>--tp-size</c> ranks, each on its own thread in this process, with the
/// platform's device communicator (<see cref="ServingHooks.CreateCommunicator"/>) between them. When a
/// rank fails, the others' collectives are aborted and the first real failure is rethrown.
/// </summary>
internal sealed class ParallelState : IDisposable
{
    private readonly Platform _platform;
    private readonly ConcurrentDictionary<string, object> _group = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abort = new();

    public ParallelState(Platform platform, int tpSize)
    {
        ArgumentNullException.ThrowIfNull(platform);
        ArgumentOutOfRangeException.ThrowIfLessThan(tpSize, 1);
        _platform = platform;
        TpSize = tpSize;
    }

    public int TpSize { get; }

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

        var context = new DeviceCommunicatorContext(rank, TpSize, rank, _group) { Aborted = _abort.Token };
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

    /// <summary>Runs <paramref name="body"/> for every rank, each on its own thread (tp 1 runs on the caller's), and returns the results by rank.</summary>
    public TResult[] RunRanks<TResult>(Func<int, TResult> body)
    {
        ArgumentNullException.ThrowIfNull(body);
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
