using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Sgl.Platforms;
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

    /// <summary>The rank's communicator from <paramref name="compute"/>'s serving part, or null when none is needed (tp 1).</summary>
    /// <exception cref="PlatformCapabilityException">tp &gt; 1 on a platform without a communicator.</exception>
    public IDeviceCommunicator? CreateCommunicator(Platform compute, ComputeDevice device, int rank)
    {
        if (TpSize == 1)
        {
            return null;
        }

        var context = new DeviceCommunicatorContext(rank, TpSize, rank, _group) { Aborted = _abort.Token };
        return compute.Serving.CreateCommunicator(device, context)
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
