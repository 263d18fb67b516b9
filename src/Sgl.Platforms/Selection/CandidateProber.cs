using System.Diagnostics;
using System.Reflection;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Selection;

/// <summary>
/// Constructs and probes candidates in parallel, each bounded by the probe timeout; a probe that
/// throws, hangs or returns nothing is recorded with its reason while the others proceed.
/// </summary>
internal sealed class CandidateProber(SystemView system, TimeSpan timeout)
{
    public IReadOnlyList<ProbeOutcome> ProbeAll(IReadOnlyList<(PlatformCandidate Candidate, Lazy<Platform, PlatformMetadata> Export)> exports)
    {
        using var cancellation = new CancellationTokenSource();
        var context = new ProbeContext(system, cancellation.Token);
        var tasks = exports.Select(e => Task.Factory.StartNew(
            () => ProbeOne(e.Candidate, e.Export, context),
            CancellationToken.None,
            TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default)).ToArray();

        var deadline = Stopwatch.StartNew();
        var outcomes = new ProbeOutcome[tasks.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            var remaining = timeout - deadline.Elapsed;
            var finished = remaining > TimeSpan.Zero && tasks[i].Wait(remaining);
            outcomes[i] = finished || tasks[i].IsCompleted
                ? tasks[i].Result
                : new ProbeOutcome(exports[i].Candidate, null, null, CandidateStatus.TimedOut,
                    $"The probe did not finish within {timeout.TotalMilliseconds:0} ms ({PlatformEnvironment.ProbeTimeoutMs}); it was abandoned. " +
                    "If the hardware is slow to answer, raise the limit; otherwise report the hang to the plugin's vendor.",
                    timeout.TotalMilliseconds);
        }

        cancellation.Cancel();
        return outcomes;
    }

    private static ProbeOutcome ProbeOne(PlatformCandidate candidate, Lazy<Platform, PlatformMetadata> export, ProbeContext context)
    {
        var clock = Stopwatch.StartNew();
        Platform? platform = null;
        try
        {
            platform = export.Value;
            var result = platform.Probe(context);
            var status = result.Status switch
            {
                ProbeStatus.Available => CandidateStatus.Available,
                ProbeStatus.NotPresent => CandidateStatus.NotPresent,
                _ => CandidateStatus.Unavailable,
            };
            return new ProbeOutcome(candidate, platform, result, status, result.Reason, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e)
        {
            var cause = Unwrap(e);
            var stage = platform is null ? "Constructing" : "Probing";
            return new ProbeOutcome(candidate, null, null, CandidateStatus.Failed,
                $"{stage} '{candidate.Name}' threw {cause.GetType().Name}: {cause.Message}", clock.Elapsed.TotalMilliseconds);
        }
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException or AggregateException && e.InnerException is not null)
        {
            e = e.InnerException!;
        }

        return e;
    }
}

/// <summary>What probing one candidate produced.</summary>
internal sealed record ProbeOutcome(PlatformCandidate Candidate, Platform? Platform, ProbeResult? Result, CandidateStatus Status, string? Reason, double ElapsedMs);
