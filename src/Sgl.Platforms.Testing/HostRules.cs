using Sgl.Platforms.BuiltIn;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Testing;

/// <summary>
/// The host's own admission and probe rules, applied to one plugin. These run the host's discovery,
/// validation and probing code (not a copy of its rules), so a test fails for exactly the reason
/// selection would reject or fail the plugin, in the same words.
/// </summary>
public static class HostRules
{
    /// <summary>The contract major version this host accepts; plugins built against another major are rejected.</summary>
    public static int ContractMajor => ContractCompatibility.HostContract.Major;

    /// <summary>The names reserved for built-in platforms.</summary>
    public static IReadOnlySet<string> ReservedNames => BuiltInPlatforms.ReservedNames;

    /// <summary>The host's default per-probe time limit (<c>SGL_PROBE_TIMEOUT_MS</c> unset).</summary>
    public static TimeSpan DefaultProbeTimeout => PlatformSettings.DefaultProbeTimeout;

    /// <summary>What the host would say about a vendor platform called <paramref name="name"/>, or null when the name is acceptable.</summary>
    /// <param name="name">A platform name as written in <see cref="PlatformMetadataAttribute"/>.</param>
    public static string? NameProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var candidate = new PlatformCandidate
        {
            Name = name,
            Metadata = new PlatformMetadata { Name = name, Kind = PlatformEnum.Oot },
            Source = CandidateSource.DevPath,
            AssemblyDisplay = "the plugin",
            Version = "",
            ContractVersion = typeof(Platform).Assembly.GetName().Version,
        };
        CandidateValidator.Validate([candidate]);
        return candidate.Reason;
    }

    /// <summary>
    /// Reads a plugin assembly the way the host reads a development-path plugin (metadata only, no
    /// plugin code runs) and applies the host's validation: export and metadata present, name form,
    /// reserved names, <see cref="PlatformEnum.Oot"/>, contract version, names unique within the assembly.
    /// </summary>
    /// <param name="assemblyPath">The plugin assembly file.</param>
    /// <returns>One verdict per platform export (and per non-exported Platform subclass) the host found.</returns>
    public static IReadOnlyList<HostVerdict> InspectAssembly(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        var full = Path.GetFullPath(assemblyPath);
        var candidates = new List<PlatformCandidate>();
        PlatformDiscovery.AddFromAssembly(candidates, new PluginAssemblyLocation(Path.GetFileNameWithoutExtension(full), full, Isolated: true), CandidateSource.DevPath);
        CandidateValidator.Validate(candidates);
        return candidates.Select(c => new HostVerdict(c.Name, c.TypeName, c.Status, c.Reason)).ToList();
    }

    /// <summary>
    /// Constructs and probes a platform the way the host does: on a worker thread, bounded by
    /// <paramref name="timeout"/>, with an exception recorded as Failed, an overrun as TimedOut and
    /// inconsistent device data refused.
    /// </summary>
    /// <param name="name">The platform's name, for the host's messages.</param>
    /// <param name="create">Constructs the platform (the host constructs it lazily, inside the probe's time).</param>
    /// <param name="system">The machine the probe sees.</param>
    /// <param name="timeout">The probe's time limit.</param>
    public static HostVerdict Probe(string name, Func<Platform> create, SystemView system, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(system);
        var metadata = new PlatformMetadata { Name = name, Kind = PlatformEnum.Oot };
        var candidate = new PlatformCandidate
        {
            Name = name,
            Metadata = metadata,
            Source = CandidateSource.DevPath,
            AssemblyDisplay = name,
            Version = "",
        };
        var outcome = new CandidateProber(system, timeout).ProbeAll([(candidate, new Lazy<Platform, PlatformMetadata>(create, metadata))]).Single();
        return new HostVerdict(name, null, outcome.Status, outcome.Reason)
        {
            Result = outcome.Result,
            Elapsed = TimeSpan.FromMilliseconds(outcome.ElapsedMs),
        };
    }

    /// <summary>
    /// The index a package's manifest item should carry for the plugin assembly at <paramref name="assemblyPath"/>: each
    /// platform's name, kind, priority, contract and <see cref="HardwareMatchAttribute"/> rules, read from its metadata as
    /// the host reads it. Paste it as the item's Index (docs/developer_guide/platform_plugin.md).
    /// </summary>
    /// <param name="assemblyPath">The plugin assembly file.</param>
    public static string PackageIndex(string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(assemblyPath);
        var full = Path.GetFullPath(assemblyPath);
        return PackagePluginIndex.Format(PlatformIndex.Entries(Path.GetFileName(full), PluginAssemblyInspector.Inspect(full)));
    }

    /// <summary>
    /// What is wrong with the package manifest <paramref name="propsPath"/> (the package's <c>buildTransitive/&lt;id&gt;.props</c>)
    /// for the plugin assembly at <paramref name="assemblyPath"/>, or null when its <c>&lt;SglPlatformPlugin&gt;</c> item names the
    /// assembly and carries the index the assembly declares. The message includes the item to write.
    /// </summary>
    /// <param name="propsPath">The props file the package ships.</param>
    /// <param name="assemblyPath">The plugin assembly file.</param>
    public static string? PackageManifestProblem(string propsPath, string assemblyPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(propsPath);
        var assemblyName = Path.GetFileNameWithoutExtension(assemblyPath);
        var expected = PackageIndex(assemblyPath);
        if (PackagePluginIndex.Parse(assemblyName, expected).Problem is not null)
        {
            return null; // the assembly's own metadata is malformed (a bad name, a duplicate, a bad rule): the admission check reports it
        }

        var write = $"Write the item as <SglPlatformPlugin Include=\"{assemblyName}\"><Index>{expected}</Index></SglPlatformPlugin>.";
        var document = System.Xml.Linq.XDocument.Load(propsPath);
        var item = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "SglPlatformPlugin" && (string?)e.Attribute("Include") == assemblyName);
        if (item is null)
        {
            return $"'{propsPath}' has no <SglPlatformPlugin Include=\"{assemblyName}\"> item, so applications that reference the package never find the plugin. {write}";
        }

        var index = (string?)item.Attribute("Index") ?? item.Elements().FirstOrDefault(e => e.Name.LocalName == "Index")?.Value;
        var info = PluginAssemblyInspector.Inspect(Path.GetFullPath(assemblyPath));
        if (info.Contributions.Count > 0 || info.Exports.Count == 0)
        {
            // The host would skip the whole assembly on the index's word, and an index says nothing of contributions.
            return index is null ? null
                : $"The <SglPlatformPlugin Include=\"{assemblyName}\"> item in '{propsPath}' carries an Index, but {assemblyName} exports {(info.Exports.Count == 0 ? "no platform" : "contributions")}, which an index cannot describe: applications would skip it on machines without the indexed hardware. Remove the Index.";
        }

        if (string.IsNullOrWhiteSpace(index))
        {
            return $"The <SglPlatformPlugin Include=\"{assemblyName}\"> item in '{propsPath}' carries no index, so every application start reads the assembly even where its hardware is absent. {write}";
        }

        var parsed = PackagePluginIndex.Parse(assemblyName, index.Trim());
        if (parsed.Problem is { } problem)
        {
            return $"The index in '{propsPath}' is malformed ({problem}); the host would read the assembly instead. {write}";
        }

        var actual = PackagePluginIndex.Format(parsed.Entries!);
        return actual == expected ? null
            : $"The index in '{propsPath}' does not say what {assemblyName} declares: the index says {actual}, the assembly declares {expected}. The host would trust the index while the hardware is absent. {write}";
    }

    /// <summary>
    /// The package manifest of a plugin assembly in the conventional layout: <c>src/&lt;name&gt;/buildTransitive/&lt;name&gt;.props</c> or
    /// <c>&lt;name&gt;/buildTransitive/&lt;name&gt;.props</c> in a folder above <paramref name="start"/>; null when there is none.
    /// </summary>
    /// <param name="assemblyName">The plugin assembly's simple name (the package id, by the template's convention).</param>
    /// <param name="start">Where to start looking (the test output folder).</param>
    public static string? FindPackageManifest(string assemblyName, string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "src", assemblyName, "buildTransitive", assemblyName + ".props"), Path.Combine(dir.FullName, assemblyName, "buildTransitive", assemblyName + ".props") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
