using System.Reflection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms.Discovery;
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
    private readonly Assembly? _entryAssembly;

    /// <summary>Creates a resolver.</summary>
    /// <param name="options">The selection settings (see <see cref="PlatformOptions.FromEnvironment"/>).</param>
    /// <param name="logger">Receives the one-line selection summary.</param>
    public PlatformResolver(PlatformOptions options, ILogger? logger = null)
        : this(options, logger, Assembly.GetEntryAssembly())
    {
    }

    internal PlatformResolver(PlatformOptions options, ILogger? logger, Assembly? entryAssembly)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _entryAssembly = entryAssembly;
    }

    /// <summary>
    /// Runs selection. Plugin failures never throw: they are recorded in the report, and when no
    /// platform can be selected the report's <see cref="SelectionReport.Error"/> says why.
    /// </summary>
    public SelectionReport Resolve()
    {
        PlatformSettings settings;
        try
        {
            settings = PlatformSettings.Parse(_options);
        }
        catch (PlatformConfigurationException e)
        {
            SelectionLog.SelectionFailed(_logger, e.Message);
            return new SelectionReport { Candidates = [], Error = e };
        }

        var candidates = new PlatformDiscovery(settings, _entryAssembly).Discover();
        CandidateValidator.Validate(candidates);
        try
        {
            CandidateValidator.ApplySettings(candidates, settings);
        }
        catch (PlatformConfigurationException e)
        {
            SelectionLog.SelectionFailed(_logger, e.Message);
            return new SelectionReport { Candidates = candidates.Select(c => ToReport(c, null)).ToList(), Error = e };
        }

        CandidateLoader.Load(candidates);
        var exports = CandidateComposer.Compose(candidates.Where(c => c.IsPending).ToList());
        var outcomes = new CandidateProber(new SystemView(settings.SystemRoot), settings.ProbeTimeout)
            .ProbeAll(exports)
            .ToDictionary(o => o.Candidate);

        var decision = SelectionDecision.Decide(candidates, outcomes, settings);
        var report = new SelectionReport
        {
            Selected = decision.Winner?.Candidate.Name,
            Platform = decision.Winner?.Platform,
            Error = decision.Error,
            Candidates = candidates.Select(c => ToReport(c, outcomes.GetValueOrDefault(c))).ToList(),
        };
        Log(report, decision);
        return report;
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

    private static CandidateReport ToReport(PlatformCandidate candidate, ProbeOutcome? outcome) => new()
    {
        Name = candidate.Name,
        Kind = candidate.Metadata.Kind.ToString(),
        Source = candidate.Source,
        Assembly = candidate.AssemblyDisplay,
        Version = candidate.Version,
        Priority = candidate.Metadata.Priority,
        Status = outcome?.Status ?? candidate.Status ?? CandidateStatus.Failed,
        Reason = outcome?.Reason ?? candidate.Reason,
        ProbeMs = outcome is null ? null : Math.Round(outcome.ElapsedMs, 2),
        Devices = outcome?.Result?.Devices.Select(DeviceReport.From).ToList() ?? [],
    };
}
