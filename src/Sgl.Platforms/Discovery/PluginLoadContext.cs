using System.Reflection;
using System.Runtime.Loader;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Loads one development or installed plugin and its private dependencies in isolation, while what the
/// host ships to every plugin (<see cref="HostAssemblies"/>: the framework, the contract, System.Composition)
/// comes from the host so that type identity holds: the plugin's Platform is the host's Platform. An
/// installed plugin loads only from the bytes it was verified with, never again from its folder.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver? _resolver;
    private readonly string? _directory;
    private readonly VerifiedPlugin? _verified;

    /// <summary>A development plugin: dependencies resolve from its deps.json or beside it.</summary>
    public PluginLoadContext(string pluginPath)
        : base($"sgl-plugin:{Path.GetFileNameWithoutExtension(pluginPath)}", isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(pluginPath);
        _directory = Path.GetDirectoryName(pluginPath)!;
    }

    /// <summary>An installed plugin: everything loads from <paramref name="verified"/>.</summary>
    public PluginLoadContext(string assemblyName, VerifiedPlugin verified)
        : base($"sgl-plugin:{assemblyName}", isCollectible: false)
    {
        _verified = verified;
    }

    /// <summary>Loads the plugin assembly itself.</summary>
    /// <exception cref="FileNotFoundException">The verified plugin does not hold it.</exception>
    public Assembly LoadPlugin(PluginAssemblyLocation location)
    {
        if (_verified is null)
        {
            return LoadFromAssemblyPath(location.Path!);
        }

        return LoadVerified(new AssemblyName(location.AssemblyName))
            ?? throw new FileNotFoundException($"The verified files of '{_verified.Directory}' hold no assembly '{location.AssemblyName}'.", location.AssemblyName);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name)
        {
            return null;
        }

        if (_verified is not null)
        {
            return !_verified.HasImage(assemblyName) || HostAssemblies.IsShared(name) ? null : LoadVerified(assemblyName);
        }

        var path = _resolver!.ResolveAssemblyToPath(assemblyName);
        if (path is null)
        {
            // Plugins copied without a deps.json still find their dependencies beside them.
            var candidate = Path.Combine(_directory!, name + ".dll");
            path = File.Exists(candidate) ? candidate : null;
        }

        return path is null || HostAssemblies.IsShared(name) ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _verified is not null ? _verified.NativeLibraryPath(unmanagedDllName) : _resolver!.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private Assembly? LoadVerified(AssemblyName name)
    {
        if (_verified!.Image(name) is not { } image)
        {
            return null;
        }

        using var assembly = new MemoryStream(image, writable: false);
        if (_verified.Symbols(name.Name!) is { } symbols)
        {
            using var pdb = new MemoryStream(symbols, writable: false);
            return LoadFromStream(assembly, pdb);
        }

        return LoadFromStream(assembly);
    }
}
