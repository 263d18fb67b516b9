using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using NuGet.Packaging.Core;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Refuses at install what would fail at every start: an assembly in the plugin folder that references an
/// assembly neither the host ships (<see cref="HostAssemblies"/>, at that version or later) nor the folder holds.
/// </summary>
internal static class AssemblyReferenceCheck
{
    /// <exception cref="PluginInstallException">A reference cannot be satisfied.</exception>
    public static void Run(string pluginFolder, IReadOnlyCollection<string> files, PackageIdentity root)
    {
        var bundled = files.Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !f.Contains('/', StringComparison.Ordinal))
            .Select(Path.GetFileNameWithoutExtension)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files.Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !f.StartsWith("runtimes/", StringComparison.Ordinal)))
        {
            foreach (var (name, version) in ReferencesOf(Path.Combine(pluginFolder, file)))
            {
                if (bundled.Contains(name))
                {
                    continue;
                }

                var shipped = HostAssemblies.VersionOf(name);
                if (shipped is null)
                {
                    throw new PluginInstallException(PluginInstallError.UnsatisfiedReference,
                        $"{PackageExpansionCheck.Describe(root)}: '{file}' references {name} {version}, which neither this host nor the package's dependencies provide, so every start would fail to load it. " +
                        "Ask the vendor to declare the package that provides it as a dependency. Nothing was installed.");
                }

                if (shipped < version)
                {
                    throw new PluginInstallException(PluginInstallError.UnsatisfiedReference,
                        $"{PackageExpansionCheck.Describe(root)}: '{file}' needs {name} {version}, but this host provides {shipped}, and a plugin cannot bring its own copy of what the host provides. " +
                        "Install a version of the plugin built for this host, or upgrade the host. Nothing was installed.");
                }
            }
        }
    }

    private static List<(string Name, Version Version)> ReferencesOf(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        try
        {
            if (!pe.HasMetadata)
            {
                return []; // a native file named .dll
            }

            var reader = pe.GetMetadataReader();
            return reader.AssemblyReferences.Select(reader.GetAssemblyReference).Select(r => (reader.GetString(r.Name), r.Version)).ToList();
        }
        catch (BadImageFormatException)
        {
            return []; // not a PE file at all
        }
    }
}
