using System.Runtime.InteropServices;
using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Packages a plugin must share with the host rather than bring: the framework itself (Sgl.Platforms*),
/// System.Composition, Microsoft.Extensions.*, and anything the shared framework already contains. The
/// plugin load context resolves those from the host, so a copy in the plugin folder would never load.
/// </summary>
internal static class HostProvidedPackages
{
    private static readonly string RuntimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();

    private static readonly HashSet<string> FrameworkPackages = new(StringComparer.OrdinalIgnoreCase)
    {
        "NETStandard.Library", "Microsoft.NETCore.App", "Microsoft.NETCore.Platforms", "Microsoft.NETCore.Targets", "Microsoft.CSharp",
    };

    public static bool Contains(string packageId) =>
        packageId.StartsWith("Sgl.Platforms", StringComparison.OrdinalIgnoreCase)
        || packageId.StartsWith("System.Composition", StringComparison.OrdinalIgnoreCase)
        || packageId.StartsWith("Microsoft.Extensions.", StringComparison.OrdinalIgnoreCase)
        || FrameworkPackages.Contains(packageId)
        || File.Exists(Path.Combine(RuntimeDirectory, packageId + ".dll"));

    /// <summary>True for an extracted assembly file the plugin load context would take from the host instead.</summary>
    public static bool ContainsAssemblyFile(string relativePath) =>
        relativePath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
        && PluginLoadContext.IsHostProvided(Path.GetFileNameWithoutExtension(relativePath));
}
