using Sgl.Platforms.Discovery;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Matching;

/// <summary>
/// The cold path's first cut: candidates whose declared hardware is absent are NotPresent before their
/// assembly is opened, as udev loads only the modules whose aliases match the hardware.
/// </summary>
internal static class HardwareMatchFilter
{
    /// <summary>Stops every pending candidate whose rules all fail on the machine <paramref name="matcher"/> reads.</summary>
    public static void Apply(List<PlatformCandidate> candidates, HardwareMatcher matcher)
    {
        foreach (var candidate in candidates.Where(c => c.IsPending && c.HardwareRules.Count > 0))
        {
            if (matcher.Evaluate(candidate.HardwareRules) == MatchVerdict.NoMatch)
            {
                candidate.Stop(CandidateStatus.NotPresent, NoMatchReason(candidate.HardwareRules));
            }
        }
    }

    /// <summary>The NotPresent reason: what the plugin declares, so a user can see why it was not loaded.</summary>
    public static string NoMatchReason(IReadOnlyList<HardwareRule> rules) =>
        $"no matching hardware ({string.Join("; or ", rules.Select(r => r.Describe()))}); its code was not loaded";

    /// <summary>The first malformed rule, quoted, with what is wrong; null when every rule is well formed.</summary>
    public static string? RuleProblem(PlatformCandidate candidate)
    {
        foreach (var rule in candidate.HardwareRules)
        {
            if (rule.Problem() is { } problem)
            {
                return $"Platform '{candidate.Name}' in '{candidate.AssemblyDisplay}' declares {rule.Quote()}, which is malformed: {problem}. The vendor must fix the rule.";
            }
        }

        return null;
    }
}
