using Sgl.Platforms.Discovery;

namespace Sgl.Platforms.Installer;

/// <summary>
/// Packages a plugin must share with the host rather than bring: those whose assembly every host of this
/// version ships (<see cref="HostAssemblies"/>: the shared framework, the contract, System.Composition and
/// what the host library references), judged by what the host really contains rather than by name, and
/// the framework's own reference packages. The plugin load context takes those from the host, so a copy
/// in the plugin folder would never load. A package that only looks like one (Microsoft.Extensions.Foo
/// that no host ships) is installed like any other dependency.
/// </summary>
internal static class HostProvidedPackages
{
    private static readonly HashSet<string> FrameworkPackages = new(StringComparer.OrdinalIgnoreCase)
    {
        "NETStandard.Library", "Microsoft.NETCore.App", "Microsoft.NETCore.Platforms", "Microsoft.NETCore.Targets",
    };

    public static bool Contains(string packageId) => FrameworkPackages.Contains(packageId) || HostAssemblies.VersionOf(packageId) is not null;

    /// <summary>True for an extracted assembly file at the plugin folder's top that the plugin load context would take from the host instead.</summary>
    public static bool ContainsAssemblyFile(string relativePath) =>
        relativePath.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && !relativePath.Contains('/', StringComparison.Ordinal)
        && HostAssemblies.IsShared(Path.GetFileNameWithoutExtension(relativePath));
}
