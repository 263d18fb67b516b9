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
    public static IEnumerable<LockedPlatform> Entries(string assembly, PluginAssemblyInfo info) => PlatformIndex.Entries(assembly, info);

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

        return PlatformIndex.NotPresent(index, matcher, (entry, rules) => PlatformIndex.NotPresentRow(entry, rules, CandidateSource.Installed,
            Path.Combine(directory, entry.Assembly), plugin.Version, $"from the index in {PlatformsLock.FileName}; {plugin.Id} was neither verified nor opened"));
    }

    /// <summary>What the index says that the assembly does not, or null when they agree (or there is no index).</summary>
    public static string? Disagreement(LockedPlugin plugin, string assembly, PlatformCandidate fromAssembly)
    {
        if (plugin.Index is null)
        {
            return null;
        }

        var differences = PlatformIndex.Differences(plugin.Index.FirstOrDefault(e => e.Name == fromAssembly.Name && e.Assembly == assembly), fromAssembly);
        return differences.Count == 0 ? null
            : $"The index in {PlatformsLock.FileName} disagrees with {plugin.Id} {plugin.Version} ({string.Join("; ", differences)}); the assembly's metadata was used. " +
              $"Reinstall the plugin (sgl platforms remove {plugin.Id}, then install) to rebuild the index.";
    }

    /// <summary>Every platform the lock lists has an entry naming one of its assemblies, with a valid name, kind and well-formed rules.</summary>
    private static bool Usable(LockedPlugin plugin, List<LockedPlatform> index) =>
        index.All(e => PlatformIndex.Problem(e) is null && plugin.Assemblies.Contains(e.Assembly) && e.Match is { Count: > 0 })
        && plugin.Platforms.All(name => index.Any(e => e.Name == name));
}
