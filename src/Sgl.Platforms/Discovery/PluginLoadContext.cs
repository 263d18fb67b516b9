using System.Reflection;
using System.Runtime.Loader;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Loads one development or installed plugin and its private dependencies in isolation, while the
/// contract and the assemblies the host provides (System.Composition, Microsoft.Extensions.*) come
/// from the host so that type identity holds: the plugin's Platform is the host's Platform.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _directory;

    public PluginLoadContext(string pluginPath)
        : base($"sgl-plugin:{Path.GetFileNameWithoutExtension(pluginPath)}", isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(pluginPath);
        _directory = Path.GetDirectoryName(pluginPath)!;
    }

    /// <summary>True for assemblies a plugin must share with the host, never load its own copy of.</summary>
    public static bool IsHostProvided(string assemblyName) =>
        assemblyName.StartsWith("Sgl.Platforms", StringComparison.Ordinal)
        || assemblyName.StartsWith("System.", StringComparison.Ordinal)
        || assemblyName.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
        || assemblyName is "System" or "mscorlib" or "netstandard";

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && IsHostProvided(name))
        {
            return null; // resolve from the host (default context)
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        if (path is null && assemblyName.Name is { } simple)
        {
            // Plugins copied without a deps.json still find their dependencies beside them.
            var candidate = Path.Combine(_directory, simple + ".dll");
            path = File.Exists(candidate) ? candidate : null;
        }

        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
