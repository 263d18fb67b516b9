using System.Diagnostics;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Probing;

namespace Sgl.Platforms.Selection;

/// <summary>
/// Constructs and probes candidates in parallel, each bounded by the probe timeout; a probe that
/// throws, hangs or returns nothing is recorded with its reason while the others proceed.
/// </summary>
internal sealed class CandidateProber(SystemView system, TimeSpan timeout)
{
    /// <param name="exports">The candidates with their lazy exports.</param>
    /// <param name="onCompleted">Called once per candidate as soon as its outcome is known (from any thread).</param>
    public IReadOnlyList<ProbeOutcome> ProbeAll(
        IReadOnlyList<(PlatformCandidate Candidate, Lazy<Platform, PlatformMetadata> Export)> exports,
        Action<ProbeOutcome>? onCompleted = null)
    {
        using var cancellation = new CancellationTokenSource();
        var context = new ProbeContext(system, cancellation.Token);
        var reported = new int[exports.Count];
        void Report(int index, ProbeOutcome outcome)
        {
            if (Interlocked.Exchange(ref reported[index], 1) == 0)
            {
                onCompleted?.Invoke(outcome);
            }
        }

        var tasks = exports.Select((e, i) => Task.Factory.StartNew(
            () =>
            {
                var outcome = ProbeOne(e.Candidate, e.Export, context);
                Report(i, outcome);
                return outcome;
            },
            CancellationToken.None,
            TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default)).ToArray();

        var deadline = Stopwatch.StartNew();
        var outcomes = new ProbeOutcome[tasks.Length];
        for (var i = 0; i < tasks.Length; i++)
        {
            var remaining = timeout - deadline.Elapsed;
            var finished = remaining > TimeSpan.Zero && tasks[i].Wait(remaining);
            if (finished || tasks[i].IsCompleted)
            {
                outcomes[i] = tasks[i].Result;
                continue;
            }

            outcomes[i] = TimedOut(exports[i].Candidate, timeout);
            Report(i, outcomes[i]);
        }

        cancellation.Cancel();
        return outcomes;
    }

    /// <summary>The outcome of a probe abandoned at the deadline.</summary>
    public static ProbeOutcome TimedOut(PlatformCandidate candidate, TimeSpan timeout) =>
        new(candidate, null, null, CandidateStatus.TimedOut,
            $"The probe did not finish within {timeout.TotalMilliseconds:0} ms ({PlatformEnvironment.ProbeTimeoutMs}); it was abandoned. " +
            "If the hardware is slow to answer, raise the limit; otherwise report the hang to the plugin's vendor.",
            timeout.TotalMilliseconds);

    private static ProbeOutcome ProbeOne(PlatformCandidate candidate, Lazy<Platform, PlatformMetadata> export, ProbeContext context)
    {
        var clock = Stopwatch.StartNew();
        Platform? platform = null;
        try
        {
            platform = export.Value;
            var result = platform.Probe(context);
            if (ProbeResultCheck.Problem(result) is { } problem)
            {
                return new ProbeOutcome(candidate, null, null, CandidateStatus.Failed,
                    $"The probe of '{candidate.Name}' returned inconsistent data: {problem}. The plugin's vendor must fix the probe.",
                    clock.Elapsed.TotalMilliseconds);
            }

            var bounded = ReportLimits.Bound(result);
            if (!ReferenceEquals(bounded, result))
            {
                // The platform, if selected, describes the devices the report lists.
                platform.AdoptProbeResult(bounded);
                result = bounded;
            }

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
            var stage = platform is null ? "Constructing" : "Probing";
            return new ProbeOutcome(candidate, null, null, CandidateStatus.Failed,
                $"{stage} '{candidate.Name}' threw {PluginFault.Describe(e)}", clock.Elapsed.TotalMilliseconds);
        }
    }

    internal static Exception Unwrap(Exception e) => PluginFault.Cause(e);
}

/// <summary>What probing one candidate produced.</summary>
internal sealed record ProbeOutcome(PlatformCandidate Candidate, Platform? Platform, ProbeResult? Result, CandidateStatus Status, string? Reason, double ElapsedMs);
