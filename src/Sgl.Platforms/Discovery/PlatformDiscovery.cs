using System.Reflection;
using System.Reflection.Metadata;
using Sgl.Platforms.BuiltIn;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Finds platform candidates from every source: built-ins, package references (the build-time
/// manifest, with DependencyContext as fallback), installed plugins and development paths. Plugin assemblies are read
/// as metadata only; nothing here runs plugin code.
/// </summary>
/// <param name="settings">The resolution's settings.</param>
/// <param name="application">The application whose package plugins are found.</param>
/// <param name="matcher">
/// The machine as the hardware rules see it; the resolver passes the one its filter and probes use, so sysfs and
/// <c>/dev</c> are read once per resolution. Null reads the settings' system root.
/// </param>
internal sealed class PlatformDiscovery(PlatformSettings settings, ApplicationManifest application, Matching.HardwareMatcher? matcher = null)
{
    private Matching.HardwareMatcher Matcher => matcher ??= new Matching.HardwareMatcher(new Probing.SystemView(settings.SystemRoot));

    /// <summary>The contribution exports found beside the platforms, read from metadata only.</summary>
    public List<ContributionCandidate> Contributions { get; } = [];

    public List<PlatformCandidate> Discover()
    {
        var candidates = new List<PlatformCandidate>();
        AddBuiltIns(candidates);
        foreach (var location in PackagePluginLocations())
        {
            AddPackagePlugin(candidates, location);
        }

        AddInstalled(candidates);
        foreach (var path in settings.PluginPaths)
        {
            AddDevelopmentPath(candidates, path);
        }

        return candidates;
    }

    internal static void AddBuiltIns(List<PlatformCandidate> candidates)
    {
        var assembly = typeof(PlatformDiscovery).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "";
        foreach (var type in BuiltInPlatforms.Types)
        {
            var metadata = BuiltInPlatforms.MetadataOf(type);
            candidates.Add(new PlatformCandidate
            {
                Name = metadata.Name,
                Metadata = metadata,
                Source = CandidateSource.BuiltIn,
                AssemblyDisplay = assembly.GetName().Name!,
                Version = version,
                Type = type,
                TypeName = type.FullName,
                HardwareRules = BuiltInPlatforms.HardwareRulesOf(type),
            });
        }
    }

    /// <summary>
    /// The plugin assemblies the application references as packages, from its build-time manifest
    /// (<see cref="PlatformPluginAttribute"/>), which works in every deployment mode, single-file
    /// included; DependencyContext is the fallback for apps built without it.
    /// </summary>
    private IEnumerable<PluginAssemblyLocation> PackagePluginLocations()
    {
        foreach (var name in application.PluginAssemblyNames.Distinct(StringComparer.Ordinal))
        {
            var path = Path.Combine(application.Directory, name + ".dll");
            var exists = File.Exists(path);
            // Another application's plugins are not this process's dependencies: they load in isolation, and
            // need their file (a running single-file app has none and loads its bundled plugins by name).
            yield return new PluginAssemblyLocation(name, exists || application.IsOtherApplication ? path : null, Isolated: application.IsOtherApplication);
        }
    }

    /// <summary>
    /// A package plugin: when the application's build-time index says every platform of it has its hardware absent, its
    /// NotPresent rows come from the index and the assembly is not opened; otherwise it is read, and where the index
    /// is malformed or disagrees, the rows say so (the assembly wins).
    /// </summary>
    private void AddPackagePlugin(List<PlatformCandidate> candidates, PluginAssemblyLocation location)
    {
        if (!application.Indexes.TryGetValue(location.AssemblyName, out var json))
        {
            AddFromAssembly(candidates, location, CandidateSource.Package, contributions: Contributions);
            return;
        }

        var index = PackagePluginIndex.Parse(location.AssemblyName, json);
        var display = location.Isolated && location.Path is not null ? location.Path : location.AssemblyName;
        if (index.NotPresent(Matcher, display) is { } absent)
        {
            candidates.AddRange(absent);
            return;
        }

        var first = candidates.Count;
        AddFromAssembly(candidates, location, CandidateSource.Package, contributions: Contributions);
        var read = new List<PlatformCandidate>();
        for (var i = first; i < candidates.Count; i++)
        {
            if (candidates[i].IsPending)
            {
                read.Add(candidates[i]);
            }
        }

        index.ReportOn(read);
    }

    /// <summary>Plugins installed by <c>sgl platforms install</c>, verified against the lock file before they are read.</summary>
    private void AddInstalled(List<PlatformCandidate> candidates)
    {
        foreach (var found in InstalledPluginSource.Find(settings.PlatformsHome, Matcher))
        {
            if (found.Refused is not null)
            {
                candidates.Add(found.Refused);
                continue;
            }

            var first = candidates.Count;
            AddFromAssembly(candidates, found.Location!, CandidateSource.Installed, contributions: Contributions);
            if (found.Plugin is not { } plugin || found.Location?.Path is not { } path)
            {
                continue;
            }

            // The assembly wins over the lock file's index; the row says where they disagree.
            var assembly = Path.GetRelativePath(PlatformsLock.PluginDirectory(settings.PlatformsHome, plugin.Id, plugin.Version), path).Replace('\\', '/');
            foreach (var candidate in candidates.Skip(first).Where(c => c.IsPending))
            {
                candidate.Notice = InstalledPluginIndex.Disagreement(plugin, assembly, candidate);
            }
        }
    }

    private void AddDevelopmentPath(List<PlatformCandidate> candidates, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            foreach (var file in Directory.EnumerateFiles(full, "*.dll").Order(StringComparer.Ordinal))
            {
                AddFromAssembly(candidates, new PluginAssemblyLocation(Path.GetFileNameWithoutExtension(file), file, Isolated: true), CandidateSource.DevPath, skipNonPlugins: true, Contributions);
            }

            return;
        }

        if (!File.Exists(full))
        {
            candidates.Add(Unreadable(Path.GetFileNameWithoutExtension(full), full, CandidateSource.DevPath, CandidateStatus.Failed,
                $"{PlatformEnvironment.PluginPath} names '{path}', which does not exist. Fix the path or remove it from {PlatformEnvironment.PluginPath}."));
            return;
        }

        AddFromAssembly(candidates, new PluginAssemblyLocation(Path.GetFileNameWithoutExtension(full), full, Isolated: true), CandidateSource.DevPath, contributions: Contributions);
    }

    // skipNonPlugins leaves out assemblies with no Platform type at all: dependencies next to a plugin in a directory.
    // Contribution exports go to contributions when given (an assembly may hold contributions and no platform).
    internal static void AddFromAssembly(
        List<PlatformCandidate> candidates, PluginAssemblyLocation location, CandidateSource source, bool skipNonPlugins = false, List<ContributionCandidate>? contributions = null)
    {
        var display = location.Isolated && location.Path is not null ? location.Path : location.AssemblyName;
        PluginAssemblyInfo info;
        try
        {
            info = location.Verified?.Image(new AssemblyName(location.AssemblyName)) is { } verified ? PluginAssemblyInspector.Inspect(verified, display)
                : location.Path is not null ? PluginAssemblyInspector.Inspect(location.Path)
                : InspectBundled(location.AssemblyName);
        }
        catch (Exception e) when (e is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            if (!skipNonPlugins)
            {
                candidates.Add(Unreadable(location.AssemblyName, display, source, CandidateStatus.Failed,
                    $"'{display}' could not be read as a .NET assembly ({e.Message}). Reinstall the plugin package or remove the file."));
            }

            return;
        }

        foreach (var contribution in info.Contributions)
        {
            contributions?.Add(new ContributionCandidate
            {
                Export = contribution,
                Location = location,
                AssemblyDisplay = display,
                Version = info.Version,
                ContractVersion = info.ContractVersion,
            });
        }

        if (info.Exports.Count == 0 && info.UnexportedPlatformTypes.Count == 0)
        {
            if (info.Contributions.Count > 0)
            {
                return; // a contribution package: it adds to a platform and declares none
            }

            if (!skipNonPlugins)
            {
                candidates.Add(Unreadable(info.AssemblyName, display, source, CandidateStatus.Rejected,
                    $"'{info.AssemblyName}' is declared as a platform plugin but contains no Platform subclass. Check that the package ships the right assembly."));
            }

            return;
        }

        foreach (var export in info.Exports)
        {
            if (export.Metadata is null)
            {
                candidates.Add(Unreadable(export.TypeName, display, source, CandidateStatus.Rejected,
                    $"{export.TypeName} in '{info.AssemblyName}' is exported as a Platform but has no [PlatformMetadata(\"name\", Kind = PlatformEnum.Oot)]; the vendor must add it.", info.Version));
                continue;
            }

            candidates.Add(new PlatformCandidate
            {
                Name = export.Metadata.Name,
                Metadata = export.Metadata,
                Source = source,
                AssemblyDisplay = display,
                Version = info.Version,
                Location = location,
                TypeName = export.TypeName,
                ContractVersion = info.ContractVersion,
                HardwareRules = export.HardwareRules,
            });
        }

        foreach (var typeName in info.UnexportedPlatformTypes)
        {
            candidates.Add(Unreadable(typeName, display, source, CandidateStatus.Rejected,
                $"{typeName} in '{info.AssemblyName}' derives from Platform but is not exported; the vendor must add [Export(typeof(Platform))] so the host can find it.", info.Version));
        }
    }

    /// <summary>Reads the metadata of an assembly bundled into a single-file app, which has no file to read.</summary>
    private static unsafe PluginAssemblyInfo InspectBundled(string assemblyName)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (FileNotFoundException e)
        {
            throw new IOException($"the application declares plugin assembly '{assemblyName}' but it is not deployed with the app ({e.Message})", e);
        }

        if (!assembly.TryGetRawMetadata(out var blob, out var length))
        {
            throw new InvalidOperationException($"the metadata of '{assemblyName}' cannot be read");
        }

        return PluginAssemblyInspector.Inspect(new MetadataReader(blob, length));
    }

    private static PlatformCandidate Unreadable(string name, string display, CandidateSource source, CandidateStatus status, string reason, string version = "") =>
        new()
        {
            Name = name,
            Metadata = new PlatformMetadata { Name = name, Priority = 0 },
            Source = source,
            AssemblyDisplay = display,
            Version = version,
            Status = status,
            Reason = reason,
        };
}
