using System.Composition.Hosting;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// Composes the candidates' types through System.Composition and hands back lazy exports, so a
/// platform is only constructed when it is probed.
/// </summary>
internal static class CandidateComposer
{
    /// <param name="candidates">The candidates to compose.</param>
    /// <param name="services">What the host offers parts that import it.</param>
    public static List<(PlatformCandidate Candidate, Lazy<Platform, PlatformMetadata> Export)> Compose(IReadOnlyList<PlatformCandidate> candidates, HostServices services)
    {
        if (candidates.Count == 0)
        {
            return [];
        }

        try
        {
            return Match(candidates, ExportsOf(candidates, services));
        }
        catch (Exception e) when (PluginFault.IsContained(e))
        {
            // One bad part fails a whole container: compose each alone to find and record the culprits.
            var composed = new List<(PlatformCandidate, Lazy<Platform, PlatformMetadata>)>();
            foreach (var candidate in candidates)
            {
                try
                {
                    composed.AddRange(Match([candidate], ExportsOf([candidate], services)));
                }
                catch (Exception inner) when (PluginFault.IsContained(inner))
                {
                    // Reading a part's attributes resolves the assemblies they come from: a plugin built against a
                    // newer System.Composition, or a corrupt image, fails here and must fail only itself.
                    candidate.Stop(CandidateStatus.Failed,
                        $"Composing {candidate.TypeName} from '{candidate.AssemblyDisplay}' failed: {PluginFault.Describe(inner)} " +
                        "Reinstall the plugin, or use a version built for this host's System.Composition and contract.");
                }
            }

            return composed;
        }
    }

    private static List<Lazy<Platform, PlatformMetadata>> ExportsOf(IReadOnlyList<PlatformCandidate> candidates, HostServices services)
    {
        // Built-ins are plain parts (a test checks it), so their attributes need not be read at start-up.
        var plain = candidates.Where(c => c.IsBuiltIn || PlainPlatformPartProvider.IsPlain(c.Type!)).ToList();
        var configuration = services.AddTo(new ContainerConfiguration().WithProvider(new PlainPlatformPartProvider(plain)));
        var attributed = candidates.Except(plain).Select(c => c.Type!).ToList();
        if (attributed.Count > 0)
        {
            configuration.WithParts(attributed);
        }

        // The container stays alive with the lazy exports: they construct their parts from it. The metadata
        // is imported as the raw dictionary and given to PlatformMetadata's dictionary constructor, which
        // is what MEF's metadata view would call, minus the expression tree it compiles for it (~7 ms cold).
        return configuration.CreateContainer().GetExports<Lazy<Platform, IDictionary<string, object>>>()
            .Select(e => new Lazy<Platform, PlatformMetadata>(() => e.Value, new PlatformMetadata(e.Metadata)))
            .ToList();
    }

    private static List<(PlatformCandidate, Lazy<Platform, PlatformMetadata>)> Match(IReadOnlyList<PlatformCandidate> candidates, List<Lazy<Platform, PlatformMetadata>> exports)
    {
        var byName = exports.ToDictionary(e => e.Metadata.Name, StringComparer.Ordinal);
        var matched = new List<(PlatformCandidate, Lazy<Platform, PlatformMetadata>)>();
        foreach (var candidate in candidates)
        {
            if (byName.TryGetValue(candidate.Name, out var export))
            {
                matched.Add((candidate, export));
            }
            else
            {
                candidate.Stop(CandidateStatus.Failed, $"System.Composition found no Platform export for {candidate.TypeName}; check that the type is public and non-generic.");
            }
        }

        return matched;
    }
}
