using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Isolation;
using Sgl.Platforms.Matching;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms;

/// <summary>
/// Discovers platform candidates, validates them, probes the hardware for each and selects one:
/// the flow behind <see cref="CurrentPlatform"/>. Use it directly to resolve with explicit settings.
/// </summary>
public sealed class PlatformResolver
{
    private readonly PlatformOptions _options;
    private readonly ILogger _logger;
    private readonly ILoggerFactory? _loggers;
    private readonly Func<ApplicationManifest> _application;
    private readonly Func<string, string?> _environment = Environment.GetEnvironmentVariable;

    /// <summary>Creates a resolver.</summary>
    /// <param name="options">The selection settings (see <see cref="PlatformOptions.FromEnvironment"/>).</param>
    /// <param name="logger">Receives the one-line selection summary.</param>
    public PlatformResolver(PlatformOptions options, ILogger? logger = null)
        : this(options, logger, Assembly.GetEntryAssembly())
    {
    }

    /// <summary>Creates a resolver whose plugin parts can import <paramref name="loggers"/> (the summary goes to its <c>Sgl.Platforms</c> logger).</summary>
    /// <param name="options">The selection settings (see <see cref="PlatformOptions.FromEnvironment"/>).</param>
    /// <param name="loggers">The application's logger factory, offered to platforms and contributions through MEF.</param>
    public PlatformResolver(PlatformOptions options, ILoggerFactory loggers)
        : this(options, loggers?.CreateLogger("Sgl.Platforms"), Assembly.GetEntryAssembly())
    {
        _loggers = loggers;
    }

    internal PlatformResolver(PlatformOptions options, ILogger? logger, Assembly? entryAssembly)
        : this(options, logger, () => ApplicationManifest.OfRunningApplication(entryAssembly))
    {
    }

    /// <summary>Resolves for another application: its package plugins come from its manifest and folder.</summary>
    internal PlatformResolver(PlatformOptions options, ILogger? logger, string applicationPath)
        : this(options, logger, () => ApplicationManifest.OfApplication(applicationPath))
    {
    }

    /// <summary>Resolves with the given application manifest (tests, benchmarks).</summary>
    internal PlatformResolver(PlatformOptions options, ILogger? logger, ApplicationManifest application)
        : this(options, logger, () => application)
    {
    }

    private PlatformResolver(PlatformOptions options, ILogger? logger, Func<ApplicationManifest> application)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _application = application;
    }

    /// <summary>
    /// Runs selection. Plugin failures never throw: they are recorded in the report, and when no
    /// platform can be selected the report's <see cref="SelectionReport.Error"/> says why.
    /// </summary>
    public SelectionReport Resolve()
    {
        // Plugin code runs from discovery to the contributions: what it writes to stdout, or an exit it asks for, is contained.
        using var guard = PluginCodeGuard.Enter();
        return ResolveCore();
    }

    private SelectionReport ResolveCore()
    {
        PlatformSettings settings;
        ApplicationManifest application;
        try
        {
            settings = PlatformSettings.Parse(_options);
            application = _application();
        }
        catch (PlatformConfigurationException e)
        {
            SelectionLog.SelectionFailed(_logger, e.Message);
            return new SelectionReport { Candidates = [], Error = e };
        }

        var services = HostServices.For(settings, _loggers);
        // One view of the machine for the whole resolution: the indexes, the rules and the probes read sysfs once.
        var matcher = new Matching.HardwareMatcher(services.System);
        var discovery = new PlatformDiscovery(settings, application, matcher);
        var candidates = discovery.Discover();
        var contributions = discovery.Contributions;
        CandidateValidator.Validate(candidates);
        ContributionComposer.Validate(contributions);
        try
        {
            CandidateValidator.ApplySettings(candidates, settings);
        }
        catch (PlatformConfigurationException e)
        {
            SelectionLog.SelectionFailed(_logger, e.Message);
            return new SelectionReport { Candidates = candidates.Select(NotProbed).ToList(), Error = e, Contributions = Unused(contributions, settings, services) };
        }

        HardwareMatchFilter.Apply(candidates, matcher); // absent hardware: NotPresent, its assembly never opened

        Dictionary<PlatformCandidate, ProbeOutcome> outcomes;
        PluginCodeGuard.Note("constructing and probing " + string.Join(", ", candidates.Where(c => c.IsPending).Select(c => c.Name)));
        try
        {
            outcomes = (settings.IsolateProbes ? ProbeIsolated(candidates, settings, services) : ProbeInProcess(candidates, settings, services))
                .ToDictionary(o => o.Candidate);
        }
        catch (Exception e) when (e is PlatformConfigurationException or System.ComponentModel.Win32Exception)
        {
            var error = e as PlatformConfigurationException ?? new PlatformConfigurationException(
                $"{PlatformEnvironment.ProbeIsolation}=process could not start the probe host: {e.Message}. Set {PlatformEnvironment.ProbeHost} to the sgl executable or sgl.dll.", e);
            SelectionLog.SelectionFailed(_logger, error.Message);
            return new SelectionReport { Candidates = candidates.Select(NotProbed).ToList(), Error = error, Contributions = Unused(contributions, settings, services) };
        }

        var decision = SelectionDecision.Decide(candidates, outcomes, settings);
        ContributionComposer.Compose(contributions, decision.Winner?.Candidate, decision.Winner?.Platform, settings, services);
        ReleaseVerifiedLosers(candidates, contributions, decision.Winner?.Candidate);
        var report = new SelectionReport
        {
            Selected = decision.Winner?.Candidate.Name,
            Platform = decision.Winner?.Platform,
            Error = decision.Error,
            Candidates = candidates.Select(c => ToReport(c, outcomes.GetValueOrDefault(c))).ToList(),
            Contributions = contributions.Select(c => c.ToReport()).ToList(),
        };
        Log(report, decision);
        return report;
    }

    /// <summary>The contributions' rows when selection stopped before a platform was chosen: none of them loaded.</summary>
    private static List<ContributionReport> Unused(List<ContributionCandidate> contributions, PlatformSettings settings, HostServices services)
    {
        ContributionComposer.Compose(contributions, null, null, settings, services);
        return contributions.Select(c => c.ToReport()).ToList();
    }

    private static IReadOnlyList<ProbeOutcome> ProbeInProcess(List<PlatformCandidate> candidates, PlatformSettings settings, HostServices services)
    {
        CandidateLoader.Load(candidates);
        var exports = CandidateComposer.Compose(candidates.Where(c => c.IsPending).ToList(), services);
        return new CandidateProber(services.System, settings.ProbeTimeout).ProbeAll(exports);
    }

    /// <summary>
    /// Probes in a child process, then constructs only the winner here and hands it the child's
    /// result: no probe, and so no driver or management library, ever runs in this process.
    /// </summary>
    private List<ProbeOutcome> ProbeIsolated(List<PlatformCandidate> candidates, PlatformSettings settings, HostServices services)
    {
        // A plugin bundled into a single-file app has no file a child could load: it is probed here.
        var bundled = candidates.Where(c => c.IsPending && c.Location is { Path: null }).ToList();
        var isolated = candidates.Where(c => c.IsPending && !bundled.Contains(c)).ToList();
        var outcomes = new IsolatedProber(ProbeHostCommand.Locate(_environment), settings).ProbeAll(isolated).ToList();
        if (bundled.Count > 0)
        {
            outcomes.AddRange(ProbeInProcess(bundled, settings, services));
        }

        var preview = SelectionDecision.Decide(candidates, outcomes.ToDictionary(o => o.Candidate), settings);
        if (preview.Winner is not { } winner || winner.Platform is not null)
        {
            return outcomes; // nothing selected, or the winner was probed (and so built) here
        }

        CandidateLoader.Load([winner.Candidate]);
        var export = CandidateComposer.Compose(winner.Candidate.IsPending ? [winner.Candidate] : [], services).SingleOrDefault();
        ProbeOutcome materialized;
        try
        {
            var platform = export.Export?.Value ?? throw new InvalidOperationException(winner.Candidate.Reason ?? "it could not be loaded");
            platform.AdoptProbeResult(winner.Result!);
            materialized = winner with { Platform = platform };
        }
        catch (Exception e)
        {
            materialized = winner with { Status = CandidateStatus.Failed, Result = null, Reason = $"Probed in isolation, but constructing '{winner.Candidate.Name}' here failed: {PluginFault.Describe(e)}" };
        }

        outcomes[outcomes.FindIndex(o => o.Candidate == winner.Candidate)] = materialized;
        return outcomes;
    }

    /// <summary>Installed plugins keep their verified files for loading; only the winner and its active contributions will load anything more.</summary>
    private static void ReleaseVerifiedLosers(List<PlatformCandidate> candidates, List<ContributionCandidate> contributions, PlatformCandidate? winner)
    {
        var kept = contributions.Where(c => c.Status is null).Select(c => c.Location.Verified).Append(winner?.Location?.Verified).OfType<VerifiedPlugin>().ToHashSet();
        var all = candidates.Select(c => c.Location?.Verified).Concat(contributions.Select(c => c.Location.Verified));
        foreach (var verified in all.OfType<VerifiedPlugin>().Distinct().Where(v => !kept.Contains(v)))
        {
            verified.Release();
        }
    }

    private void Log(SelectionReport report, SelectionDecision decision)
    {
        if (decision.Error is not null)
        {
            SelectionLog.SelectionFailed(_logger, decision.Error.Message);
            return;
        }

        var others = string.Join(", ", report.Candidates.Where(c => c.Name != report.Selected).Select(c => $"{c.Name} {c.Status}"));
        var winner = report.Candidates.First(c => c.Name == report.Selected);
        var devices = winner.Devices.Count == 0 ? "" : $"{winner.Devices.Count} device(s): {string.Join("; ", winner.Devices.Select(d => d.Name).Distinct())}; ";
        SelectionLog.Selected(_logger, report.Selected!, decision.Why, devices, others);
    }

    /// <summary>A candidate's row when a setting stopped selection before any probe ran: left out, not failed.</summary>
    private static CandidateReport NotProbed(PlatformCandidate candidate) => candidate.Status is null
        ? ToReport(candidate, null) with { Status = CandidateStatus.Excluded, Reason = "Not probed: a setting is invalid (see the error)." }
        : ToReport(candidate, null);

    private static CandidateReport ToReport(PlatformCandidate candidate, ProbeOutcome? outcome) => new()
    {
        Name = candidate.Name,
        Kind = candidate.Metadata.Kind.ToString(),
        Source = candidate.Source,
        Assembly = candidate.AssemblyDisplay,
        Version = candidate.Version,
        Priority = candidate.Metadata.Priority,
        Status = outcome?.Status ?? candidate.Status ?? CandidateStatus.Failed,
        Reason = ReportLimits.BoundReason(candidate.Notice is { } notice ? $"{outcome?.Reason ?? candidate.Reason} {notice}".TrimStart() : outcome?.Reason ?? candidate.Reason),
        ProbeMs = outcome is null ? null : Math.Round(outcome.ElapsedMs, 2),
        Devices = outcome?.Result?.Devices.Select(DeviceReport.From).ToList() ?? [],
    };
}
