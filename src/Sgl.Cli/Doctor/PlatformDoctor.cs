using System.Globalization;
using System.Runtime.InteropServices;
using Sgl.Platforms;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Matching;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Cli.Doctor;

/// <summary>
/// Compares the machine with the candidates and the settings, without loading any plugin: accelerators no
/// candidate claims, drivers whose libraries are missing, settings that hide a platform whose hardware is here.
/// Candidates come from the host's own discovery, validation and settings code, read as metadata only.
/// </summary>
internal sealed class PlatformDoctor(PlatformOptions options, Func<ApplicationManifest> application, Func<string, bool> libraryFound)
{
    private const string PciDevicesPath = "/sys/bus/pci/devices";

    /// <summary>The doctor for this process's settings and application, finding libraries by the loader search the probes use.</summary>
    public static PlatformDoctor ForEnvironment() =>
        new(PlatformOptions.FromEnvironment(), () => ApplicationManifest.OfRunningApplication(System.Reflection.Assembly.GetEntryAssembly()), LoaderFinds);

    /// <summary>A doctor for explicit settings and no application's packages (tests, and callers that pass their own library check).</summary>
    public static PlatformDoctor ForOptions(PlatformOptions options, Func<string, bool> libraryFound) =>
        new(options, () => ApplicationManifest.OfRunningApplication(null), libraryFound);

    public DoctorReport Examine()
    {
        var findings = new List<DoctorFinding>();
        var checkedItems = new List<string>();
        PlatformSettings settings;
        try
        {
            settings = PlatformSettings.Parse(options);
        }
        catch (PlatformConfigurationException e)
        {
            findings.Add(new(DoctorFindingKind.InvalidSetting, e.Message, null));
            return new DoctorReport { Findings = findings };
        }

        var system = new SystemView(settings.SystemRoot);
        var devices = ReadPciDevices(system, findings);
        var candidates = new PlatformDiscovery(settings, application()).Discover();
        CandidateValidator.Validate(candidates);
        try
        {
            CandidateValidator.ApplySettings(candidates, settings);
        }
        catch (PlatformConfigurationException e)
        {
            findings.Add(new(DoctorFindingKind.InvalidSetting, e.Message, null));
        }

        var accelerators = devices.Select(d => (Device: d, Entry: KnownAccelerators.Of(d))).Where(a => a.Entry is not null).ToList();
        checkedItems.Add(string.Create(CultureInfo.InvariantCulture, $"{devices.Count} PCI function(s) under {PciDevicesPath}, {accelerators.Count} of them known accelerators"));
        checkedItems.Add(string.Create(CultureInfo.InvariantCulture, $"{candidates.Count} platform candidate(s): {string.Join(", ", candidates.Select(c => c.Name))}"));

        var hidden = new HashSet<PlatformCandidate>();
        foreach (var group in accelerators.GroupBy(a => a.Entry!))
        {
            CheckClaims(group.Key, group.Select(a => a.Device).ToList(), candidates, hidden, findings);
            CheckVisibility(group.Key, group.Count(), system, findings);
        }

        CheckHiddenByRules(candidates, new HardwareMatcher(system), hidden, findings);
        CheckDriverLibraries(system, candidates, findings, checkedItems);
        return new DoctorReport { Findings = findings, Checked = checkedItems };
    }

    /// <summary>Each known accelerator should be claimed by a candidate still in the running.</summary>
    private static void CheckClaims(KnownAccelerators.Entry entry, List<PciDevice> devices, List<PlatformCandidate> candidates, HashSet<PlatformCandidate> hidden, List<DoctorFinding> findings)
    {
        // Devices of one vendor may be claimed differently (rules can name device ids): group by who claims them.
        foreach (var byClaimers in devices.GroupBy(d => string.Join(",", candidates.Where(c => Claims(c, d, entry)).Select(c => c.Name))))
        {
            var sample = byClaimers.First();
            var claimers = candidates.Where(c => Claims(c, sample, entry)).ToList();
            var what = Describe(entry, byClaimers.ToList());
            if (claimers.Any(c => c.IsPending))
            {
                continue;
            }

            if (claimers.FirstOrDefault(c => c.Status == CandidateStatus.Excluded) is { } excluded)
            {
                hidden.Add(excluded);
                findings.Add(new(DoctorFindingKind.HiddenBySetting,
                    $"found {what}, but the settings leave out '{excluded.Name}', which drives it: {excluded.Reason}",
                    $"Add '{excluded.Name}' to {PlatformEnvironment.Platform} / {PlatformEnvironment.Plugins}, or unset them."));
            }
            else if (claimers.Count > 0)
            {
                findings.Add(new(DoctorFindingKind.ClaimedOnlyByRefused,
                    $"found {what}, but every platform that drives it was refused: {string.Join("; ", claimers.Select(c => $"'{c.Name}' {c.Status}: {c.Reason}"))}",
                    "Update or reinstall the plugin (see the reason above)."));
            }
            else
            {
                findings.Add(new(DoctorFindingKind.UnclaimedHardware,
                    $"found {what}, but no installed plugin drives it",
                    entry.Package is { } package
                        ? $"dotnet add package {package} (in the application), or sgl platforms install {package}"
                        : $"No Sgl platform package for {entry.Vendor} is known here; ask {entry.Vendor} for one, then install it with sgl platforms install <package>."));
            }
        }
    }

    /// <summary>A candidate claims a device when one of its PCI rules names it, or (declaring no PCI rule) when it is the platform the table names.</summary>
    private static bool Claims(PlatformCandidate candidate, PciDevice device, KnownAccelerators.Entry entry) =>
        candidate.HardwareRules.Any(r => r.HasPci && HardwareMatcher.Matches(r, device))
        || (candidate.Name == entry.Platform && !candidate.HardwareRules.Any(r => r.HasPci));

    private static void CheckVisibility(KnownAccelerators.Entry entry, int count, SystemView system, List<DoctorFinding> findings)
    {
        if (entry.VisibilityVariable is { } variable && system.GetEnvironmentVariable(variable) is { } value && value.Trim() is "" or "-1")
        {
            findings.Add(new(DoctorFindingKind.HiddenBySetting,
                string.Create(CultureInfo.InvariantCulture, $"{variable}='{value}' hides all {count} {entry.Vendor} {entry.Product}(s) from '{entry.Platform}'"),
                $"Unset {variable}, or list the device indices to use."));
        }
    }

    /// <summary>Excluded candidates whose declared hardware (device nodes, drivers too) is present, not already reported.</summary>
    private static void CheckHiddenByRules(List<PlatformCandidate> candidates, HardwareMatcher matcher, HashSet<PlatformCandidate> hidden, List<DoctorFinding> findings)
    {
        foreach (var candidate in candidates.Where(c => c.Status == CandidateStatus.Excluded && c.HardwareRules.Count > 0 && !hidden.Contains(c)))
        {
            if (matcher.Evaluate(candidate.HardwareRules) == MatchVerdict.Matched)
            {
                findings.Add(new(DoctorFindingKind.HiddenBySetting,
                    $"the hardware '{candidate.Name}' declares is present ({string.Join("; or ", candidate.HardwareRules.Select(r => r.Describe()))}), but the settings leave it out: {candidate.Reason}",
                    $"Add '{candidate.Name}' to {PlatformEnvironment.Platform} / {PlatformEnvironment.Plugins}, or unset them."));
            }
        }
    }

    /// <summary>A loaded driver whose platform's probe needs a library the loader cannot find.</summary>
    private void CheckDriverLibraries(SystemView system, List<PlatformCandidate> candidates, List<DoctorFinding> findings, List<string> checkedItems)
    {
        if (!system.Exists("/sys/module"))
        {
            checkedItems.Add("kernel drivers: not checked, /sys/module could not be read");
            return;
        }

        foreach (var entry in KnownAccelerators.All.Where(e => candidates.Any(c => c.Name == e.Platform && c.IsPending)))
        {
            foreach (var (module, library) in entry.DriverLibraries.Where(d => system.Exists("/sys/module/" + d.Module)))
            {
                checkedItems.Add($"driver {module} is loaded; looked for {library}");
                if (!libraryFound(library))
                {
                    findings.Add(new(DoctorFindingKind.DriverWithoutLibrary,
                        $"the {module} kernel driver is loaded (/sys/module/{module}), but {library} is not found by the loader, so '{entry.Platform}' cannot read the {entry.Product}s",
                        $"Install {entry.Vendor}'s user-space driver package that ships {library}, or add its folder to LD_LIBRARY_PATH."));
                }
            }
        }
    }

    /// <summary>The PCI functions, with a finding for each part of sysfs that could not be read.</summary>
    private static List<PciDevice> ReadPciDevices(SystemView system, List<DoctorFinding> findings)
    {
        var root = system.MapPath(PciDevicesPath);
        string[] entries;
        try
        {
            entries = Directory.GetDirectories(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            findings.Add(new(DoctorFindingKind.Unreadable,
                $"could not read {PciDevicesPath} under {system.Root} ({e.Message}), so PCI hardware was not checked; platforms that declare PCI ids are probed rather than matched",
                "Run doctor where sysfs is mounted (in a container, mount /sys read-only), or as a user who can read it."));
            return [];
        }

        var unreadable = new List<string>();
        foreach (var entry in entries)
        {
            foreach (var file in new[] { "vendor", "device", "class" })
            {
                try
                {
                    using var _ = File.OpenRead(Path.Combine(entry, file));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    unreadable.Add($"{PciDevicesPath}/{Path.GetFileName(entry)}/{file} ({e.Message})");
                }
            }
        }

        if (unreadable.Count > 0)
        {
            findings.Add(new(DoctorFindingKind.Unreadable,
                $"could not read {string.Join(", ", unreadable)}; those functions were not checked",
                "Run doctor as a user who can read sysfs."));
        }

        return system.GetPciDevices().ToList();
    }

    private static string Describe(KnownAccelerators.Entry entry, List<PciDevice> devices)
    {
        var ids = string.Join(", ", devices.Select(d => string.Create(CultureInfo.InvariantCulture, $"PCI {d.VendorId:x4}:{d.DeviceId:x4} at {d.Address}")));
        return devices.Count == 1
            ? $"a {entry.Vendor} {entry.Product} ({ids})"
            : string.Create(CultureInfo.InvariantCulture, $"{devices.Count} {entry.Vendor} {entry.Product}s ({ids})");
    }

    private static bool LoaderFinds(string library)
    {
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }
}
