using Sgl.Platforms.Matching;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// An ahead-of-time index of a plugin's platforms (as <c>depmod</c>'s alias index is for modules): each platform's name,
/// kind, priority, contract and <c>[HardwareMatch]</c> rules, so that a plugin whose hardware is absent is reported
/// NotPresent without its assembly being opened. Two indexes use it: the lock file's for installed plugins
/// (<see cref="InstalledPluginIndex"/>) and the application's build-time manifest for package plugins
/// (<see cref="PackagePluginIndex"/>). Where an assembly is opened anyway, it wins, and a disagreement is reported.
/// </summary>
internal static class PlatformIndex
{
    /// <summary>The index entries of one plugin assembly, from its metadata: what the installer and the conformance kit write.</summary>
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

    /// <summary>What is wrong with one entry, or null when it is well formed (a valid name and kind, well-formed rules).</summary>
    public static string? Problem(LockedPlatform? entry)
    {
        if (entry is null)
        {
            return "an entry is null";
        }

        if (!PlatformSettings.IsValidName(entry.Name))
        {
            return $"'{entry.Name}' is not a platform name";
        }

        if (!TryParseKind(entry.Kind, out _))
        {
            return $"platform '{entry.Name}' has kind '{entry.Kind}', which is not a PlatformEnum name";
        }

        if (entry.Match is null || entry.Match.Any(r => r is null))
        {
            return $"platform '{entry.Name}' has no \"match\" list or a null rule in it (write \"match\":[] for a platform that declares no rule)";
        }

        foreach (var rule in entry.Match)
        {
            if (rule.ToRule() is var parsed && parsed.Problem() is { } problem)
            {
                return $"platform '{entry.Name}' declares {parsed.Quote()}, which is malformed: {problem}";
            }
        }

        return null;
    }

    /// <summary>
    /// Rows for every entry when every entry's rules fail on the machine; null as soon as one matches, cannot be
    /// decided or declares no rule (then the plugin is opened and probed). An empty index decides nothing.
    /// </summary>
    /// <param name="entries">Well-formed entries (see <see cref="Problem"/>).</param>
    /// <param name="matcher">The machine.</param>
    /// <param name="row">Builds the NotPresent row of an entry from it and its parsed rules.</param>
    public static List<PlatformCandidate>? NotPresent(IReadOnlyList<LockedPlatform> entries, HardwareMatcher matcher, Func<LockedPlatform, IReadOnlyList<HardwareRule>, PlatformCandidate> row)
    {
        if (entries.Count == 0)
        {
            return null;
        }

        var rows = new List<PlatformCandidate>(entries.Count);
        foreach (var entry in entries)
        {
            var rules = new List<HardwareRule>(entry.Match.Count);
            foreach (var rule in entry.Match)
            {
                rules.Add(rule.ToRule());
            }

            if (rules.Count == 0 || matcher.Evaluate(rules) != MatchVerdict.NoMatch)
            {
                return null;
            }

            rows.Add(row(entry, rules));
        }

        return rows;
    }

    /// <summary>A NotPresent row for an index entry; the reason says where the index came from and what was not opened.</summary>
    public static PlatformCandidate NotPresentRow(LockedPlatform entry, IReadOnlyList<HardwareRule> rules, CandidateSource source, string display, string version, string whence) => new()
    {
        Name = entry.Name,
        Metadata = new PlatformMetadata { Name = entry.Name, Kind = TryParseKind(entry.Kind, out var kind) ? kind : PlatformEnum.Oot, Priority = entry.Priority },
        Source = source,
        AssemblyDisplay = display,
        Version = version,
        ContractVersion = System.Version.TryParse(entry.Contract, out var contract) ? contract : null,
        HardwareRules = rules,
        Status = CandidateStatus.NotPresent,
        Reason = HardwareMatchFilter.NoMatchReason(rules) + $" ({whence})",
    };

    /// <summary>Where <paramref name="entry"/> (null when the index does not list the platform) differs from what the assembly declares.</summary>
    public static List<string> Differences(LockedPlatform? entry, PlatformCandidate fromAssembly)
    {
        var differences = new List<string>();
        if (entry is null)
        {
            differences.Add($"the index does not list platform '{fromAssembly.Name}'");
            return differences;
        }

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

        if (!SameRules(entry.Match ?? [], fromAssembly.HardwareRules))
        {
            var indexed = string.Join("; ", (entry.Match ?? []).Select(r => r.ToRule().Quote()));
            var declared = string.Join("; ", fromAssembly.HardwareRules.Select(r => r.Quote()));
            differences.Add($"hardware rules {(indexed.Length == 0 ? "none" : indexed)} in the index, {(declared.Length == 0 ? "none" : declared)} in the assembly");
        }

        return differences;
    }

    /// <summary>
    /// A <see cref="PlatformEnum"/> member by name. A switch rather than <c>Enum.TryParse</c>, whose generic instantiation is
    /// jitted at every start that reads an index (and which would also take "6" or "oot").
    /// </summary>
    public static bool TryParseKind(string? kind, out PlatformEnum value)
    {
        value = kind switch
        {
            nameof(PlatformEnum.Cuda) => PlatformEnum.Cuda,
            nameof(PlatformEnum.Rocm) => PlatformEnum.Rocm,
            nameof(PlatformEnum.Npu) => PlatformEnum.Npu,
            nameof(PlatformEnum.Xpu) => PlatformEnum.Xpu,
            nameof(PlatformEnum.Hpu) => PlatformEnum.Hpu,
            nameof(PlatformEnum.Cpu) => PlatformEnum.Cpu,
            nameof(PlatformEnum.Oot) => PlatformEnum.Oot,
            _ => (PlatformEnum)(-1),
        };
        return (int)value >= 0;
    }

    /// <summary>True when the index's rules are the assembly's, in order; compared field by field so that agreement costs no formatting.</summary>
    private static bool SameRules(List<LockedRule> indexed, IReadOnlyList<HardwareRule> declared)
    {
        if (indexed.Count != declared.Count)
        {
            return false;
        }

        for (var i = 0; i < indexed.Count; i++)
        {
            var a = indexed[i].ToRule();
            var b = declared[i];
            if (a.PciVendor != b.PciVendor || !Same(a.PciDevices, b.PciDevices) || !Same(a.PciClasses, b.PciClasses)
                || !Same(a.DeviceNodes, b.DeviceNodes) || !Same(a.KernelDrivers, b.KernelDrivers))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Same(IReadOnlyList<ushort> a, IReadOnlyList<ushort> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool Same(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (!string.Equals(a[i], b[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
