using NuGet.Packaging.Core;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Judges a staged plugin with the host's own discovery and validation (<see cref="PlatformDiscovery"/>,
/// <see cref="CandidateValidator"/>): lowercase-id names of at most 64 characters, no built-in name, Kind
/// Oot, the host's contract major, no name another installed plugin already exports. What install admits,
/// the next start admits.
/// </summary>
internal static class PluginAdmission
{
    /// <exception cref="PluginInstallException">The host would refuse the plugin; the message is the host's, with the fix.</exception>
    public static void Check(string pluginFolder, IReadOnlyList<string> assemblies, PackageIdentity package, IEnumerable<LockedPlugin> otherInstalled)
    {
        var candidates = new List<PlatformCandidate>();
        PlatformDiscovery.AddBuiltIns(candidates);
        var installed = new Dictionary<PlatformCandidate, LockedPlugin>();
        foreach (var plugin in otherInstalled)
        {
            foreach (var name in plugin.Platforms)
            {
                var holder = new PlatformCandidate
                {
                    Name = name,
                    Metadata = new PlatformMetadata { Name = name, Kind = PlatformEnum.Oot },
                    Source = CandidateSource.Installed,
                    AssemblyDisplay = $"{plugin.Id} {plugin.Version}",
                    Version = plugin.Version,
                    ContractVersion = typeof(Platform).Assembly.GetName().Version,
                };
                candidates.Add(holder);
                installed[holder] = plugin;
            }
        }

        var first = candidates.Count;
        var contributions = new List<Contributions.ContributionCandidate>();
        foreach (var assembly in assemblies)
        {
            // Not isolated, so the host's messages name the assembly rather than the staging path.
            PlatformDiscovery.AddFromAssembly(candidates, new PluginAssemblyLocation(Path.GetFileNameWithoutExtension(assembly), Path.Combine(pluginFolder, assembly), Isolated: false), CandidateSource.Installed, contributions: contributions);
        }

        // Contributions get the host's own checks too (metadata, name, one target, contract); clashes with contributions
        // of other packages are found at start, where both are rejected and named.
        Contributions.ContributionComposer.Validate(contributions);
        if (contributions.FirstOrDefault(c => c.Status is not null) is { } refused)
        {
            throw new PluginInstallException(PluginInstallError.RejectedByHost,
                $"{PackageExpansionCheck.Describe(package)} would be refused by the host: {refused.Reason} Nothing was installed.");
        }

        var staged = candidates.Skip(first).ToList();
        CandidateValidator.Validate(candidates);
        foreach (var candidate in staged.Where(c => c.Status is not null))
        {
            var clash = installed.Keys.FirstOrDefault(c => c.Name == candidate.Name);
            throw new PluginInstallException(PluginInstallError.RejectedByHost, clash is not null
                ? $"{PackageExpansionCheck.Describe(package)} exports platform '{candidate.Name}', which the installed {clash.AssemblyDisplay} already exports; the host would refuse both. " +
                    $"If it should replace that plugin, run 'sgl platforms remove {installed[clash].Id}' first. Nothing was installed."
                : $"{PackageExpansionCheck.Describe(package)} would be refused by the host: {candidate.Reason} Nothing was installed.");
        }
    }
}
