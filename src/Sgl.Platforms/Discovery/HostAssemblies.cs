using System.Reflection;
using System.Runtime.Loader;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// The assemblies every host of this version ships to its plugins, computed from the host itself rather
/// than from name prefixes: the shared framework it runs on, and the contract and this host library with
/// everything they reference, transitively. A plugin must use the host's copy of these (so that
/// <see cref="Platform"/> and the framework's types are the host's); anything else it brings is its own.
/// </summary>
internal static class HostAssemblies
{
    private static readonly Lazy<string?> FrameworkDirectory = new(FindFrameworkDirectory);
    private static readonly Lazy<Dictionary<string, Version>> Closure = new(ComputeClosure);

    /// <summary>True when the host ships <paramref name="name"/> to every plugin, so a plugin's own copy must not load.</summary>
    public static bool IsShared(string name) => IsFramework(name) || Closure.Value.ContainsKey(name);

    /// <summary>The version of <paramref name="name"/> every host of this version ships, or null when hosts do not ship it.</summary>
    public static Version? VersionOf(string name)
    {
        if (IsFramework(name))
        {
            return AssemblyName.GetAssemblyName(Path.Combine(FrameworkDirectory.Value!, name + ".dll")).Version;
        }

        return Closure.Value.GetValueOrDefault(name);
    }

    private static bool IsFramework(string name) =>
        FrameworkDirectory.Value is { } directory && name.Length > 0 && name.IndexOfAny(['/', '\\']) < 0 && File.Exists(Path.Combine(directory, name + ".dll"));

    /// <summary>The shared framework's folder (the one holding System.Private.CoreLib), or null for self-contained and single-file hosts.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("SingleFile", "IL3000",
        Justification = "A single-file host has no framework folder; the empty Location says so and the closure covers what the host references.")]
    private static string? FindFrameworkDirectory()
    {
        var coreLibrary = typeof(object).Assembly.Location;
        var directory = coreLibrary.Length == 0 ? null : Path.GetDirectoryName(coreLibrary);
        return directory is not null && File.Exists(Path.Combine(directory, "Microsoft.NETCore.App.deps.json")) ? directory : null;
    }

    private static Dictionary<string, Version> ComputeClosure()
    {
        var shipped = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        var queue = new Queue<Assembly>([typeof(Platform).Assembly, typeof(HostAssemblies).Assembly]);
        while (queue.TryDequeue(out var assembly))
        {
            var name = assembly.GetName();
            if (name.Name is null || !shipped.TryAdd(name.Name, name.Version ?? new Version()))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is null || shipped.ContainsKey(reference.Name) || IsFramework(reference.Name))
                {
                    continue;
                }

                try
                {
                    queue.Enqueue(AssemblyLoadContext.Default.LoadFromAssemblyName(reference));
                }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    // A reference the host never needs at run time (compile-time only): it does not ship it.
                }
            }
        }

        return shipped;
    }
}
