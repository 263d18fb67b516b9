using System.Reflection;
using Microsoft.Extensions.DependencyModel;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// The application whose package plugins are discovered: the plugin assemblies its build-time
/// manifest names, and the folder they are deployed in. Normally the running application; for
/// <c>sgl platforms list --app</c>, another application read from disk without loading it.
/// </summary>
/// <param name="PluginAssemblyNames">Plugin assemblies named by the manifest (or, without one, by the deps.json).</param>
/// <param name="Directory">Where the application's assemblies are deployed.</param>
/// <param name="IsOtherApplication">True when the application is not this process: its plugins load in isolation.</param>
internal sealed record ApplicationManifest(IReadOnlyList<string> PluginAssemblyNames, string Directory, bool IsOtherApplication)
{
    /// <summary>The <see cref="AssemblyMetadataAttribute"/> key the manifest targets write into every application.</summary>
    internal const string ManifestMarker = "Sgl.Platforms.PluginManifest";

    /// <summary>The build-time index of each plugin assembly whose package carries one (<see cref="PlatformPluginAttribute.Index"/>), by assembly name.</summary>
    public IReadOnlyDictionary<string, string> Indexes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The running application: its manifest, or DependencyContext when it has none.</summary>
    public static ApplicationManifest OfRunningApplication(Assembly? entryAssembly)
    {
        var attributes = entryAssembly?.GetCustomAttributes<PlatformPluginAttribute>().ToList() ?? [];
        var names = attributes.Select(a => a.AssemblyName).ToList();
        var complete = names.Count > 0 || HasManifest(entryAssembly);
        return new ApplicationManifest(complete ? names : PluginNames(RunningDependencyContext()), AppContext.BaseDirectory, false)
        {
            Indexes = IndexesOf(attributes.Select(a => (a.AssemblyName, a.Index))),
        };
    }

    /// <summary>
    /// True when the application was built with the manifest targets, which mark it even when it lists
    /// no plugin: then the manifest is complete and deps.json need not be read (~11 ms and ~110 jitted
    /// methods at every start; see docs/performance.md).
    /// </summary>
    internal static bool HasManifest(Assembly? entryAssembly) =>
        entryAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>().Any(a => a.Key == ManifestMarker && a.Value == "true") == true;

    /// <summary>Another application, from its main assembly's metadata and its deps.json.</summary>
    /// <exception cref="PlatformConfigurationException">The file is missing or not a .NET assembly.</exception>
    public static ApplicationManifest OfApplication(string applicationPath)
    {
        var full = Path.GetFullPath(applicationPath);
        List<string> names;
        IReadOnlyList<(string Name, string? Index)> declared;
        try
        {
            declared = PluginAssemblyInspector.ReadPluginManifest(full);
            names = declared.Select(d => d.Name).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            throw new PlatformConfigurationException($"--app '{applicationPath}' is not a readable .NET application assembly ({e.Message}). Pass the application's main .dll.", e);
        }

        if (names.Count == 0)
        {
            var depsJson = Path.ChangeExtension(full, ".deps.json");
            if (File.Exists(depsJson))
            {
                using var stream = File.OpenRead(depsJson);
                using var reader = new DependencyContextJsonReader();
                names = PluginNames(reader.Read(stream));
            }
        }

        return new ApplicationManifest(names, Path.GetDirectoryName(full)!, true) { Indexes = IndexesOf(declared) };
    }

    /// <summary>The first index given for each assembly (the targets write one attribute per assembly).</summary>
    private static Dictionary<string, string> IndexesOf(IEnumerable<(string Name, string? Index)> declared)
    {
        var indexes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, index) in declared)
        {
            if (index is not null)
            {
                indexes.TryAdd(name, index);
            }
        }

        return indexes;
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3002",
        Justification = "In a single-file app DependencyContext is null; the build-time manifest covers that mode, and null is handled.")]
    private static DependencyContext? RunningDependencyContext() => DependencyContext.Default;

    /// <summary>Runtime assemblies of libraries that depend on the contract, leaving out the framework's own (Sgl.Platforms*).</summary>
    private static List<string> PluginNames(DependencyContext? context) =>
        context is null
            ? []
            : context.RuntimeLibraries
                .Where(library => !library.Name.StartsWith("Sgl.Platforms", StringComparison.OrdinalIgnoreCase)
                    && library.Dependencies.Any(d => d.Name.Equals(PluginAssemblyInspector.ContractAssemblyName, StringComparison.OrdinalIgnoreCase)))
                .SelectMany(library => library.RuntimeAssemblyGroups.SelectMany(g => g.AssetPaths))
                .Select(Path.GetFileNameWithoutExtension)
                .OfType<string>()
                .ToList();
}
