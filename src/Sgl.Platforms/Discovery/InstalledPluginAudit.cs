using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Discovery;

/// <summary>
/// What the next start would say about each installed plugin, found the way a start finds it: the home's
/// ownership checks, the lock file's checks, each plugin's hashes, then its metadata read from the verified
/// bytes and judged by <see cref="CandidateValidator"/> with the built-ins and the other installed plugins in
/// view. Nothing is loaded. This is what <c>sgl platforms list --installed</c> reports.
/// </summary>
internal static class InstalledPluginAudit
{
    /// <summary>Each installed package id with the reason a start would refuse it, or null when a start accepts it.</summary>
    public static Dictionary<string, string?> Run(string platformsHome, HomeTrust trust)
    {
        var problems = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var candidates = new List<PlatformCandidate>();
        PlatformDiscovery.AddBuiltIns(candidates);
        var owners = new Dictionary<PlatformCandidate, string>();
        foreach (var found in InstalledPluginSource.Find(platformsHome, trust).Where(f => f.Plugin is not null))
        {
            var id = found.Plugin!.Id;
            problems.TryAdd(id, null);
            if (found.Refused is not null)
            {
                problems[id] ??= found.Refused.Reason;
                continue;
            }

            var before = candidates.Count;
            PlatformDiscovery.AddFromAssembly(candidates, found.Location!, CandidateSource.Installed);
            foreach (var candidate in candidates.Skip(before))
            {
                owners[candidate] = id;
            }
        }

        CandidateValidator.Validate(candidates);
        foreach (var (candidate, id) in owners.Where(o => o.Key.Status is not null))
        {
            problems[id] ??= candidate.Reason;
        }

        foreach (var verified in owners.Keys.Select(c => c.Location?.Verified).OfType<VerifiedPlugin>().Distinct())
        {
            verified.Release(); // nothing is loaded here
        }

        return problems;
    }
}
