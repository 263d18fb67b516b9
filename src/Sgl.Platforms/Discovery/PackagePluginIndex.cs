using System.Text.Json;
using Sgl.Platforms.Matching;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// The index a package plugin's manifest item carries into the application at build time
/// (<c>[assembly: PlatformPlugin("Vendor.Plugin", Index = "[…]")]</c>): the same entries as the lock file's index, so
/// the cold path matches a package plugin's hardware without reading its assembly. An index that cannot be used is not
/// fatal: the assembly is read as without one, and its rows say what was wrong with the index.
/// </summary>
internal sealed class PackagePluginIndex
{
    private PackagePluginIndex(string assemblyName, IReadOnlyList<LockedPlatform>? entries, string? problem)
    {
        AssemblyName = assemblyName;
        Entries = entries;
        Problem = problem;
    }

    public string AssemblyName { get; }

    /// <summary>The well-formed entries, or null when the index is malformed.</summary>
    public IReadOnlyList<LockedPlatform>? Entries { get; }

    /// <summary>What is wrong with the index, or null when it is usable.</summary>
    public string? Problem { get; }

    /// <summary>The file name the index's entries must name: the plugin assembly itself.</summary>
    public static string AssemblyFile(string assemblyName) => assemblyName + ".dll";

    /// <summary>Parses and checks the index of plugin assembly <paramref name="assemblyName"/>; never throws.</summary>
    public static PackagePluginIndex Parse(string assemblyName, string json)
    {
        List<LockedPlatform>? entries;
        try
        {
            entries = PackagePluginIndexReader.Read(json);
        }
        catch (JsonException e)
        {
            return new(assemblyName, null, $"it is not a valid index ({e.Message.TrimEnd('.')})");
        }

        if (entries is null)
        {
            return new(assemblyName, null, "it is null instead of a list of platforms");
        }

        var file = AssemblyFile(assemblyName);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (PlatformIndex.Problem(entry) is { } problem)
            {
                return new(assemblyName, null, problem);
            }

            if (!string.Equals(entry.Assembly, file, StringComparison.OrdinalIgnoreCase))
            {
                return new(assemblyName, null, $"platform '{entry.Name}' names assembly '{entry.Assembly}', not '{file}'");
            }

            if (!names.Add(entry.Name))
            {
                return new(assemblyName, null, $"platform '{entry.Name}' is listed twice");
            }
        }

        return new(assemblyName, entries, null);
    }

    /// <summary>NotPresent rows when the index is usable and every platform it lists has its hardware absent; otherwise null.</summary>
    public List<PlatformCandidate>? NotPresent(HardwareMatcher matcher, string display) =>
        Entries is null ? null : PlatformIndex.NotPresent(Entries, matcher, (entry, rules) => PlatformIndex.NotPresentRow(entry, rules, CandidateSource.Package,
            display, "", $"from the application's build-time index of {AssemblyName}; the assembly was not opened"));

    /// <summary>
    /// Sets each row read from the assembly's <see cref="PlatformCandidate.Notice"/> to what the index got wrong about it:
    /// the index was malformed, or it disagrees with the assembly (which wins). Platforms the index lists but the
    /// assembly does not are reported on the first row.
    /// </summary>
    public void ReportOn(IReadOnlyList<PlatformCandidate> fromAssembly)
    {
        if (fromAssembly.Count == 0)
        {
            return;
        }

        if (Problem is not null)
        {
            var notice = $"The build-time index of {AssemblyName} in the application is malformed ({Problem}); the assembly was read instead. " + Advice;
            foreach (var candidate in fromAssembly)
            {
                candidate.Notice = notice;
            }

            return;
        }

        var entries = Entries!;
        for (var i = 0; i < fromAssembly.Count; i++)
        {
            var candidate = fromAssembly[i];
            LockedPlatform? entry = null;
            foreach (var e in entries)
            {
                entry = e.Name == candidate.Name ? e : entry;
            }

            var differences = PlatformIndex.Differences(entry, candidate);
            if (i == 0)
            {
                foreach (var e in entries)
                {
                    if (!fromAssembly.Any(c => c.Name == e.Name))
                    {
                        differences.Add($"the index lists platform '{e.Name}', which the assembly does not export");
                    }
                }
            }

            if (differences.Count > 0)
            {
                candidate.Notice = $"The build-time index of {AssemblyName} in the application disagrees with the assembly ({string.Join("; ", differences)}); the assembly's metadata was used. " + Advice;
            }
        }
    }

    /// <summary>
    /// The index of a plugin assembly as a package's manifest item carries it: one line of JSON, PCI ids and classes as
    /// hex strings (as <c>lspci -nn</c> shows them), read back by <see cref="Parse"/> to the same entries.
    /// </summary>
    public static string Format(IEnumerable<LockedPlatform> entries)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps globs such as "card+*" readable; every value is checked to be a plain name or glob first.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var entry in entries)
            {
                json.WriteStartObject();
                json.WriteString("name", entry.Name);
                json.WriteString("kind", entry.Kind);
                json.WriteNumber("priority", entry.Priority);
                if (entry.Contract is not null)
                {
                    json.WriteString("contract", entry.Contract);
                }

                json.WriteString("assembly", entry.Assembly);
                json.WriteStartArray("match");
                foreach (var rule in (entry.Match ?? []).Select(r => r.ToRule())) // ToRule: lists a reader left out are null
                {
                    json.WriteStartObject();
                    if (rule.PciVendor is { } vendor)
                    {
                        json.WriteString("pciVendor", Hex(vendor, 4));
                    }

                    WriteHex(json, "pciDevices", rule.PciDevices, classes: false);
                    WriteHex(json, "pciClasses", rule.PciClasses, classes: true);
                    WriteStrings(json, "deviceNodes", rule.DeviceNodes);
                    WriteStrings(json, "kernelDrivers", rule.KernelDrivers);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteHex(Utf8JsonWriter json, string name, IReadOnlyList<ushort> values, bool classes)
    {
        if (values.Count == 0)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(Hex(value, classes && value <= 0xff ? 2 : 4));
        }

        json.WriteEndArray();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static string Hex(ushort value, int digits) => "0x" + value.ToString("x" + digits.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private const string Advice =
        "The index comes from the Index of the package's <SglPlatformPlugin> item, which the vendor's build keeps equal to the assembly: " +
        "either the application was built against another version of the package than it deploys (rebuild it), or the package was packed " +
        "with a stale index (tell the vendor; their CI build reports it as SGLP003).";
}
