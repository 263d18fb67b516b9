using System.Composition.Hosting;
using System.Globalization;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Contributions;

/// <summary>
/// Composes the selected platform with the contributions that extend it. Every rule is checked from metadata first,
/// so a contribution that is rejected, excluded or meant for another platform never loads; the rest are loaded,
/// composed with the host's services and constructed, each within the probe timeout. One contribution's failure is
/// its own row: the platform runs with its own parts and the others.
/// </summary>
internal static class ContributionComposer
{
    /// <summary>Checks the rules that need no platform: metadata present, a target, the name form and the contract version.</summary>
    public static void Validate(IEnumerable<ContributionCandidate> contributions)
    {
        foreach (var contribution in contributions.Where(c => c.IsPending))
        {
            if (RuleBroken(contribution) is { } reason)
            {
                contribution.Stop(ContributionStatus.Rejected, reason);
            }
        }
    }

    /// <summary>Composes the contributions that extend <paramref name="winner"/>; every other pending one is marked unused.</summary>
    /// <returns>The composed parts (also registered with the platform), with every contribution's outcome recorded on it.</returns>
    public static PlatformContributions Compose(
        IReadOnlyList<ContributionCandidate> contributions, PlatformCandidate? winner, Platform? platform, PlatformSettings settings, HostServices services)
    {
        foreach (var contribution in contributions.Where(c => c.IsPending && (winner is null || platform is null || !c.Extends(winner))))
        {
            contribution.Stop(ContributionStatus.Unused, winner is null || platform is null
                ? "No platform was selected; it was not loaded."
                : $"It extends {Describe(contribution)}, and '{winner.Name}' was selected; it was not loaded.");
        }

        var mine = contributions.Where(c => c.IsPending).ToList();
        if (mine.Count == 0 || platform is null)
        {
            return PlatformContributions.None;
        }

        if (settings.ContributionAllowlist is { } allowed)
        {
            foreach (var contribution in mine.Where(c => !allowed.Contains(c.Export.Name)))
            {
                contribution.Stop(ContributionStatus.Excluded, allowed.Count == 0
                    ? $"{PlatformEnvironment.Contributions}=none; it was not loaded."
                    : $"Not in {PlatformEnvironment.Contributions} ({string.Join(",", allowed.Order(StringComparer.Ordinal))}); it was not loaded.");
            }
        }

        RejectDuplicates(mine.Where(c => c.IsPending).ToList(), platform);
        var composed = new List<(ContributionCandidate Candidate, object Part)>();
        var loaded = new Dictionary<PluginAssemblyLocation, Lazy<System.Reflection.Assembly>>();
        if (winner!.Location is { } winnerLocation && winner.Type is { } winnerType)
        {
            loaded[winnerLocation] = new(winnerType.Assembly); // a platform and its own contributions share one load
        }

        foreach (var contribution in mine.Where(c => c.IsPending))
        {
            if (!loaded.TryGetValue(contribution.Location, out var assembly))
            {
                loaded[contribution.Location] = assembly = new(() => CandidateLoader.LoadAssembly(contribution.Location), LazyThreadSafetyMode.ExecutionAndPublication);
            }

            if (Construct(contribution, assembly, settings.ProbeTimeout, services) is { } part)
            {
                composed.Add((contribution, part));
            }
        }

        var result = new PlatformContributions(
            PartsOf<AttentionBackendContribution>(composed),
            PartsOf<DeviceOperationsContribution>(composed),
            PartsOf<CommunicatorContribution>(composed));
        PlatformContributions.Register(platform, result);
        return result;
    }

    private static string? RuleBroken(ContributionCandidate contribution)
    {
        var export = contribution.Export;
        var owner = $"{export.TypeName} in '{contribution.AssemblyDisplay}'";
        var contract = ContributionContracts.TypeOf(export.Kind).Name;
        if (!export.HasMetadata)
        {
            return $"{owner} is exported as {contract} but has no [PlatformContribution(\"name\", Extends = \"platform\")]; the vendor must add it.";
        }

        if (!PlatformSettings.IsValidName(export.Name))
        {
            return $"Contribution name '{export.Name}' of {owner} is not a lowercase id (a letter, then letters, digits, '-' or '_'); the vendor must rename it.";
        }

        if ((export.Extends is null) == (export.ExtendsKind is null))
        {
            return $"Contribution '{export.Name}' of {owner} must name the platform it extends with exactly one of Extends = \"name\" or ExtendsKind = PlatformEnum.X; the vendor must fix its [PlatformContribution].";
        }

        if (export.Extends is { } target && !PlatformSettings.IsValidName(target))
        {
            return $"Contribution '{export.Name}' of {owner} extends '{target}', which is not a platform name; the vendor must fix Extends.";
        }

        return ContractCompatibility.Check(contribution.ContractVersion, $"'{contribution.AssemblyDisplay}'", contract);
    }

    /// <summary>A name must be unique among the platform's contributions, and an attention backend's must not shadow one of the platform's own.</summary>
    private static void RejectDuplicates(List<ContributionCandidate> contributions, Platform platform)
    {
        foreach (var group in contributions.GroupBy(c => c.Export.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var holders = string.Join(" and ", group.Select(c => $"'{c.AssemblyDisplay}'").Distinct());
            foreach (var contribution in group)
            {
                contribution.Stop(ContributionStatus.Rejected,
                    $"Contribution name '{contribution.Export.Name}' is used more than once by {holders}. Remove one of those packages so the name is unique.");
            }
        }

        IReadOnlyCollection<string> own;
        try
        {
            own = [.. platform.GetAttentionBackends().Keys];
        }
        catch (Exception)
        {
            own = []; // the platform's own fault surfaces when the runtime asks for its backends
        }

        foreach (var contribution in contributions.Where(c => c.IsPending && c.Export.Kind == ContributionKind.AttentionBackend && own.Contains(c.Export.Name)))
        {
            contribution.Stop(ContributionStatus.Rejected,
                $"Attention backend '{contribution.Export.Name}' is already one of platform '{platform.DeviceName}''s own backends; the vendor must choose another name (the platform's own is kept).");
        }
    }

    /// <summary>Loads, composes and constructs one contribution within <paramref name="timeout"/>; null (with the row recorded) when it fails.</summary>
    private static object? Construct(ContributionCandidate contribution, Lazy<System.Reflection.Assembly> assembly, TimeSpan timeout, HostServices services)
    {
        var contract = ContributionContracts.TypeOf(contribution.Export.Kind);
        var construction = Task.Factory.StartNew(
            () =>
            {
                var type = assembly.Value.GetType(contribution.Export.TypeName, throwOnError: true)!;
                var container = services.AddTo(new ContainerConfiguration().WithPart(type)).CreateContainer();
                return container.GetExport(contract);
            },
            CancellationToken.None,
            TaskCreationOptions.DenyChildAttach | TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            if (construction.Wait(timeout))
            {
                return construction.Result;
            }
        }
        catch (AggregateException e)
        {
            contribution.Stop(ContributionStatus.Failed,
                $"Loading or constructing {contribution.Export.TypeName} from '{contribution.AssemblyDisplay}' threw {PluginFault.Describe(e)} The platform runs without it.");
            return null;
        }

        contribution.Stop(ContributionStatus.TimedOut, string.Create(CultureInfo.InvariantCulture,
            $"Constructing {contribution.Export.TypeName} did not finish within {timeout.TotalMilliseconds:0} ms ({PlatformEnvironment.ProbeTimeoutMs}); it was abandoned and the platform runs without it. Report the hang to its vendor."));
        return null;
    }

    private static IEnumerable<ContributedPart<T>> PartsOf<T>(List<(ContributionCandidate Candidate, object Part)> composed)
        where T : class =>
        composed.Where(c => c.Part is T).Select(c => new ContributedPart<T>(
            c.Candidate.Export.Name, c.Candidate.Export.Priority, $"{c.Candidate.AssemblyDisplay} {c.Candidate.Version}".TrimEnd(), (T)c.Part));

    private static string Describe(ContributionCandidate contribution) =>
        contribution.Export.Extends is { } name ? $"'{name}'" : $"every {contribution.Export.ExtendsKind} platform";
}
