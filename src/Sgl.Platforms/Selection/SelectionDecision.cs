using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Selection;

/// <summary>
/// Picks the winner among probed candidates: <c>SGL_PLATFORM</c> first (one name forces, a list is a
/// preference order), otherwise the highest priority, where a tie at the top is an error; and never
/// a silent CPU fallback when a plugin failed or an accelerator's hardware was seen but is unusable.
/// </summary>
internal sealed record SelectionDecision(ProbeOutcome? Winner, string Why, PlatformSelectionException? Error)
{
    /// <summary>What blocks the CPU fallback: a plugin that broke, or hardware that is there but cannot be used (Unavailable).</summary>
    private static readonly CandidateStatus[] BlocksCpuFallback = [CandidateStatus.Failed, CandidateStatus.TimedOut, CandidateStatus.Rejected, CandidateStatus.Unavailable];

    public static SelectionDecision Decide(IReadOnlyList<PlatformCandidate> candidates, IReadOnlyDictionary<PlatformCandidate, ProbeOutcome> outcomes, PlatformSettings settings)
    {
        string StatusOf(PlatformCandidate c) => (outcomes.GetValueOrDefault(c)?.Status ?? c.Status)?.ToString() ?? "Failed";
        string? ReasonOf(PlatformCandidate c) => outcomes.GetValueOrDefault(c)?.Reason ?? c.Reason;
        string Describe(PlatformCandidate c) => $"'{c.Name}' is {StatusOf(c)}" + (ReasonOf(c) is { } r ? $" ({r.TrimEnd('.')})" : "");

        var preference = settings.PlatformPreference;
        if (preference.Count > 0)
        {
            var wanted = string.Join(",", preference);
            foreach (var name in preference)
            {
                var outcome = outcomes.Values.FirstOrDefault(o => o.Candidate.Name == name && o.Status == CandidateStatus.Available);
                if (outcome is not null)
                {
                    return new SelectionDecision(outcome, settings.IsForced ? $"forced by {PlatformEnvironment.Platform}" : $"first available in {PlatformEnvironment.Platform}={wanted}", null);
                }
            }

            var named = candidates.Where(c => preference.Contains(c.Name)).Select(Describe);
            return Fail(settings.IsForced
                ? $"{PlatformEnvironment.Platform}={wanted} forces that platform, but {string.Join("; ", named)}. Fix the cause, or unset {PlatformEnvironment.Platform} to select automatically."
                : $"None of the platforms in {PlatformEnvironment.Platform}={wanted} is available: {string.Join("; ", named)}. Add an available platform to the list (see 'sgl platforms list').");
        }

        var available = outcomes.Values.Where(o => o.Status == CandidateStatus.Available).ToList();
        if (available.Count == 0)
        {
            return Fail($"No platform is available: {string.Join("; ", candidates.Select(Describe))}.");
        }

        var top = available.Max(o => o.Candidate.Metadata.Priority);
        var leaders = available.Where(o => o.Candidate.Metadata.Priority == top).OrderBy(o => o.Candidate.Name, StringComparer.Ordinal).ToList();
        if (leaders.Count > 1)
        {
            var names = leaders.Select(o => o.Candidate.Name).ToList();
            return Fail($"Platforms {string.Join(" and ", names.Select(n => $"'{n}'"))} are all available with priority {top}, so neither wins. " +
                $"Set {PlatformEnvironment.Platform}={names[0]} (or {string.Join(" or ", names.Skip(1))}) to choose one.");
        }

        var winner = leaders[0];
        if (winner.Candidate.Metadata.Kind == PlatformEnum.Cpu)
        {
            var failed = candidates.Where(c => c.Metadata.Kind != PlatformEnum.Cpu && BlocksCpuFallback.Any(f => StatusOf(c) == f.ToString())).ToList();
            if (failed.Count > 0)
            {
                return Fail($"Only the CPU fallback is available, and {string.Join("; ", failed.Select(Describe))}. " +
                    $"Running on CPU by accident is refused: fix what the reason names (or remove the failing plugin), or set {PlatformEnvironment.Platform}=cpu to run on CPU deliberately.");
            }
        }

        var runnerUp = available.Count > 1 ? $"; {available.Count - 1} other available" : "";
        return new SelectionDecision(winner, $"highest priority {top} among {available.Count} available{runnerUp}", null);
    }

    private static SelectionDecision Fail(string message) => new(null, "", new PlatformSelectionException(message));
}
