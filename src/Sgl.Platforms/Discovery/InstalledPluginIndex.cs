using Sgl.Platforms.Matching;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// The ahead-of-time index in <c>platforms.lock.json</c> (as <c>depmod</c>'s alias index is for modules): written by
/// the installer from the verified assembly, read at start so that a plugin whose hardware is absent is neither
/// hashed nor opened. The index is as trusted as the hashes beside it (the same file, under the same ownership and
/// mode checks). Where the plugin is opened anyway, the assembly wins and a disagreement is reported.
/// </summary>
internal static class InstalledPluginIndex
{
    /// <summary>The index entries of one plugin assembly, from its metadata.</summary>
    public static IEnumerable<LockedPlatform> Entries(string assembly, PluginAssemblyInfo info) =>
        info.Exports.Where(e => e.Metadata is not null).Select(e => new LockedPlatform
        {
            Name = e.Metadata!.Name,
            Kind = e.Metadata.Kind.ToString(),
            Priority = e.Metadata.Priority,
            Contract = info.ContractVersion?.ToString(),
            Assembly = assembly,
            Match = e.HardwareRules.Select(LockedRule.From).ToList(),
        });

    /// <summary>
    /// NotPresent rows for every platform of <paramref name="plugin"/> when its index is complete and well formed and
    /// every platform's rules fail on the machine; null when the plugin must be verified and opened.
    /// </summary>
    public static List<PlatformCandidate>? NotPresent(LockedPlugin plugin, string directory, HardwareMatcher matcher)
    {
        if (plugin.Index is not { Count: > 0 } index || !Usable(plugin, index))
        {
            return null;
        }

        var rows = new List<PlatformCandidate>();
        foreach (var entry in index)
        {
            var rules = entry.Match.Select(r => r.ToRule()).ToList();
            if (matcher.Evaluate(rules) != MatchVerdict.NoMatch)
            {
                return null;
            }

            rows.Add(new PlatformCandidate
            {
                Name = entry.Name,
                Metadata = new PlatformMetadata { Name = entry.Name, Kind = Enum.Parse<PlatformEnum>(entry.Kind), Priority = entry.Priority },
                Source = CandidateSource.Installed,
                AssemblyDisplay = Path.Combine(directory, entry.Assembly),
                Version = plugin.Version,
                ContractVersion = System.Version.TryParse(entry.Contract, out var contract) ? contract : null,
                HardwareRules = rules,
                Status = CandidateStatus.NotPresent,
                Reason = HardwareMatchFilter.NoMatchReason(rules) + $" (from the index in {PlatformsLock.FileName}; {plugin.Id} was neither verified nor opened)",
            });
        }

        return rows;
    }

    /// <summary>What the index says that the assembly does not, or null when they agree (or there is no index).</summary>
    public static string? Disagreement(LockedPlugin plugin, string assembly, PlatformCandidate fromAssembly)
    {
        if (plugin.Index is null)
        {
            return null;
        }

        var entry = plugin.Index.FirstOrDefault(e => e.Name == fromAssembly.Name && e.Assembly == assembly);
        var differences = new List<string>();
        if (entry is null)
        {
            differences.Add($"the index does not list platform '{fromAssembly.Name}'");
        }
        else
        {
            var metadata = fromAssembly.Metadata;
            if (entry.Kind != metadata.Kind.ToString())
            {
                differences.Add($"kind {entry.Kind} in the index, {metadata.Kind} in the assembly");
            }

            if (entry.Priority != metadata.Priority)
            {
                differences.Add($"priority {entry.Priority} in the index, {metadata.Priority} in the assembly");
            }

            if (entry.Contract != fromAssembly.ContractVersion?.ToString())
            {
                differences.Add($"contract {entry.Contract ?? "none"} in the index, {fromAssembly.ContractVersion?.ToString() ?? "none"} in the assembly");
            }

            var indexed = string.Join("; ", entry.Match.Select(r => r.ToRule().Quote()));
            var declared = string.Join("; ", fromAssembly.HardwareRules.Select(r => r.Quote()));
            if (indexed != declared)
            {
                differences.Add($"hardware rules {(indexed.Length == 0 ? "none" : indexed)} in the index, {(declared.Length == 0 ? "none" : declared)} in the assembly");
            }
        }

        return differences.Count == 0 ? null
            : $"The index in {PlatformsLock.FileName} disagrees with {plugin.Id} {plugin.Version} ({string.Join("; ", differences)}); the assembly's metadata was used. " +
              $"Reinstall the plugin (sgl platforms remove {plugin.Id}, then install) to rebuild the index.";
    }

    /// <summary>Every platform the lock lists has an entry naming one of its assemblies, with a valid name, kind and well-formed rules.</summary>
    private static bool Usable(LockedPlugin plugin, List<LockedPlatform> index) =>
        index.All(e => e is not null && PlatformSettings.IsValidName(e.Name) && Enum.TryParse<PlatformEnum>(e.Kind, out _)
            && plugin.Assemblies.Contains(e.Assembly) && e.Match is { Count: > 0 } && e.Match.All(r => r is not null && r.ToRule().Problem() is null))
        && plugin.Platforms.All(name => index.Any(e => e.Name == name));
}
