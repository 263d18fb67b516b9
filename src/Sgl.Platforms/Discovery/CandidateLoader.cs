using System.Reflection;
using System.Runtime.Loader;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>Loads the assemblies of the candidates still in the running and resolves their exported types.</summary>
internal static class CandidateLoader
{
    public static void Load(IEnumerable<PlatformCandidate> candidates)
    {
        var assemblies = new Dictionary<PluginAssemblyLocation, Assembly>();
        foreach (var candidate in candidates.Where(c => c.IsPending && c.Type is null && c.Location is not null))
        {
            var location = candidate.Location!;
            try
            {
                if (!assemblies.TryGetValue(location, out var assembly))
                {
                    assembly = LoadAssembly(location);
                    assemblies[location] = assembly;
                }

                candidate.Type = assembly.GetType(candidate.TypeName!, throwOnError: true);
            }
            catch (Exception e) when (PluginFault.IsContained(e))
            {
                candidate.Stop(CandidateStatus.Failed,
                    $"Loading {candidate.TypeName} from '{candidate.AssemblyDisplay}' failed: {PluginFault.Describe(e)} Check that the plugin's dependencies are deployed with it, or reinstall it.");
            }
        }
    }

    internal static Assembly LoadAssembly(PluginAssemblyLocation location)
    {
        if (location.Verified is { } verified)
        {
            return new PluginLoadContext(location.AssemblyName, verified).LoadPlugin(location);
        }

        if (location.Isolated)
        {
            return new PluginLoadContext(location.Path!).LoadPlugin(location);
        }

        // Package plugins are dependencies of the application itself: load them by name so the
        // application's own resolution (deps.json, or the single-file bundle) is used.
        try
        {
            return Assembly.Load(new AssemblyName(location.AssemblyName));
        }
        catch (FileNotFoundException) when (location.Path is not null)
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(location.Path);
        }
    }
}
