using Sgl.Platforms.BuiltIn;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Rejects candidates whose metadata breaks the rules (name form, reserved names, kind, contract
/// version, duplicates) and excludes those the settings leave out — all before any plugin code loads.
/// </summary>
internal static class CandidateValidator
{
    public static void Validate(List<PlatformCandidate> candidates)
    {
        foreach (var candidate in candidates.Where(c => c.IsPending && !c.IsBuiltIn))
        {
            var reason = RuleBroken(candidate);
            if (reason is not null)
            {
                candidate.Stop(CandidateStatus.Rejected, reason);
            }
        }

        foreach (var group in candidates.Where(c => c.IsPending).GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var holders = string.Join(" and ", group.Select(c => $"'{c.AssemblyDisplay}'"));
            foreach (var candidate in group)
            {
                candidate.Stop(CandidateStatus.Rejected,
                    $"Platform name '{candidate.Name}' is exported by {holders}. Remove one of those packages or plugins so the name is unique.");
            }
        }
    }

    private static string? RuleBroken(PlatformCandidate candidate)
    {
        var name = candidate.Name;
        var owner = $"'{candidate.AssemblyDisplay}'";
        if (!PlatformSettings.IsValidName(name))
        {
            return $"Platform name '{name}' in {owner} is not a lowercase id (a letter, then letters, digits, '-' or '_'); the vendor must rename it.";
        }

        if (BuiltInPlatforms.ReservedNames.Contains(name))
        {
            return $"Platform name '{name}' in {owner} is reserved for the built-in platform; the vendor must choose another name.";
        }

        if (candidate.Metadata.Kind != PlatformEnum.Oot)
        {
            return $"Platform '{name}' in {owner} declares Kind = PlatformEnum.{candidate.Metadata.Kind}; vendor platforms must use Kind = PlatformEnum.Oot.";
        }

        if (ContractCompatibility.Check(candidate.ContractVersion, owner, "Platform") is { } incompatible)
        {
            return incompatible;
        }

        return Matching.HardwareMatchFilter.RuleProblem(candidate);
    }

    /// <summary>Applies SGL_PLATFORM_PLUGINS and SGL_PLATFORM; excluded candidates are never loaded.</summary>
    /// <exception cref="PlatformConfigurationException">SGL_PLATFORM names a platform no source offers.</exception>
    public static void ApplySettings(List<PlatformCandidate> candidates, PlatformSettings settings)
    {
        if (settings.PluginAllowlist is { } allowed)
        {
            foreach (var candidate in candidates.Where(c => c.IsPending && !c.IsBuiltIn && !allowed.Contains(c.Name)))
            {
                candidate.Stop(CandidateStatus.Excluded, $"Not in {PlatformEnvironment.Plugins} ({string.Join(",", allowed)}).");
            }
        }

        if (settings.PlatformPreference.Count == 0)
        {
            return;
        }

        var known = candidates.Where(c => c.Status != CandidateStatus.Rejected || c.Location is not null)
            .Select(c => c.Name).Where(PlatformSettings.IsValidName).Distinct().Order(StringComparer.Ordinal).ToList();
        var unknown = settings.PlatformPreference.Where(n => !known.Contains(n)).ToList();
        if (unknown.Count > 0)
        {
            throw new PlatformConfigurationException(
                $"{PlatformEnvironment.Platform} names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which no built-in or plugin provides. " +
                $"Known platforms: {string.Join(", ", known)}. Fix {PlatformEnvironment.Platform}, or install the plugin that provides it.");
        }

        var wanted = string.Join(",", settings.PlatformPreference);
        foreach (var candidate in candidates.Where(c => c.IsPending && !settings.PlatformPreference.Contains(c.Name)))
        {
            candidate.Stop(CandidateStatus.Excluded, $"Not selected by {PlatformEnvironment.Platform}={wanted}.");
        }
    }
}
