using System.Diagnostics;
using System.Text.Json;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Isolation;

/// <summary>
/// Runs probes in a short-lived child process (<c>SGL_PROBE_ISOLATION=process</c>), so a probe that
/// segfaults, aborts, exits or hangs costs only that child. When the child dies with probes
/// unfinished, each unfinished one is probed again alone to name the culprit.
/// </summary>
internal sealed class IsolatedProber(ProbeHostCommand host, PlatformSettings settings)
{
    /// <summary>Time the child may take to start before its probes' own deadline begins.</summary>
    private static readonly TimeSpan StartAllowance = TimeSpan.FromSeconds(10);

    /// <summary>Private copies of installed plugins' verified files, written once per plugin for the probe hosts.</summary>
    private readonly Dictionary<VerifiedPlugin, string> _verifiedCopies = [];

    public IReadOnlyList<ProbeOutcome> ProbeAll(IReadOnlyList<PlatformCandidate> candidates)
    {
        try
        {
            var refused = WriteVerifiedCopies(candidates);
            var probed = ProbeAllInHosts(candidates.Where(c => !refused.ContainsKey(c)).ToList()).ToDictionary(o => o.Candidate);
            return candidates.Select(c => refused.TryGetValue(c, out var outcome) ? outcome : probed[c]).ToList();
        }
        finally
        {
            foreach (var copy in _verifiedCopies.Values)
            {
                try
                {
                    Directory.Delete(copy, recursive: true);
                }
                catch (IOException)
                {
                    // A private temporary folder: the OS cleans what is left; the results stand.
                }
            }
        }
    }

    /// <summary>
    /// Installed plugins go to the probe host as private copies of the bytes verified here, never as their
    /// folders; a plugin whose files were rewritten since they were verified fails here instead.
    /// </summary>
    private Dictionary<PlatformCandidate, ProbeOutcome> WriteVerifiedCopies(IReadOnlyList<PlatformCandidate> candidates)
    {
        var refused = new Dictionary<PlatformCandidate, ProbeOutcome>();
        foreach (var candidate in candidates.Where(c => c.Location?.Verified is not null))
        {
            var verified = candidate.Location!.Verified!;
            try
            {
                if (!_verifiedCopies.ContainsKey(verified))
                {
                    _verifiedCopies[verified] = verified.WritePrivateCopy();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                refused[candidate] = new ProbeOutcome(candidate, null, null, CandidateStatus.Failed, e.Message, 0);
            }
        }

        return refused;
    }

    private List<ProbeOutcome> ProbeAllInHosts(IReadOnlyList<PlatformCandidate> candidates)
    {
        var first = RunHost(candidates);
        var outcomes = first.Outcomes;
        var unfinished = candidates.Where(c => !outcomes.ContainsKey(c)).ToList();
        if (unfinished.Count == 0)
        {
            return candidates.Select(c => outcomes[c]).ToList();
        }

        if (first.TimedOut)
        {
            foreach (var candidate in unfinished)
            {
                outcomes[candidate] = CandidateProber.TimedOut(candidate, settings.ProbeTimeout);
            }
        }
        else if (unfinished.Count == 1)
        {
            outcomes[unfinished[0]] = Crashed(unfinished[0], first);
        }
        else
        {
            // Several probes were in flight when the host died: probe each alone to find which.
            var alone = unfinished.AsParallel().Select(c => (Candidate: c, Run: RunHost([c]))).ToList();
            foreach (var (candidate, run) in alone)
            {
                outcomes[candidate] = run.Outcomes.TryGetValue(candidate, out var outcome) ? outcome
                    : run.TimedOut ? CandidateProber.TimedOut(candidate, settings.ProbeTimeout)
                    : Crashed(candidate, run);
            }
        }

        return candidates.Select(c => outcomes[c]).ToList();
    }

    private HostRun RunHost(IReadOnlyList<PlatformCandidate> candidates)
    {
        var start = new ProcessStartInfo(host.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in host.LeadingArguments.Concat(["platforms", ProbeHostCommand.Verb]))
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the probe host '{host.FileName}'.");
        var errorTail = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(JsonSerializer.Serialize(Request(candidates), ProbeHostJsonContext.Default.ProbeHostRequest));
        process.StandardInput.Close();

        var byName = candidates.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var outcomes = new Dictionary<PlatformCandidate, ProbeOutcome>();
        var reading = Task.Run(() =>
        {
            while (process.StandardOutput.ReadLine() is { } line)
            {
                var result = Parse(line);
                if (result is not null && byName.TryGetValue(result.Name, out var candidate))
                {
                    lock (outcomes)
                    {
                        outcomes[candidate] = ToOutcome(candidate, result);
                    }
                }
            }
        });

        var finished = process.WaitForExit(settings.ProbeTimeout + StartAllowance);
        if (!finished)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        reading.Wait(TimeSpan.FromSeconds(5));
        var stderr = errorTail.Wait(TimeSpan.FromSeconds(5)) ? errorTail.Result : "";
        lock (outcomes)
        {
            return new HostRun(new Dictionary<PlatformCandidate, ProbeOutcome>(outcomes), !finished, finished ? process.ExitCode : null, stderr, clock.Elapsed.TotalMilliseconds);
        }
    }

    private ProbeHostRequest Request(IReadOnlyList<PlatformCandidate> candidates) => new(
        settings.SystemRoot,
        (int)settings.ProbeTimeout.TotalMilliseconds,
        candidates.Select(c => c.Location?.Verified is { } verified
            ? VerifiedRequest(c, verified)
            : new ProbeHostCandidate(c.Name, c.IsBuiltIn, c.Location?.AssemblyName, c.Location?.Path, c.TypeName, c.Metadata.Kind, c.Metadata.Priority)).ToList());

    private ProbeHostCandidate VerifiedRequest(PlatformCandidate candidate, VerifiedPlugin verified)
    {
        var copy = _verifiedCopies[verified];
        var location = candidate.Location!;
        var assembly = Path.Combine(copy, Path.GetRelativePath(verified.Directory, location.Path!));
        return new ProbeHostCandidate(candidate.Name, false, location.AssemblyName, assembly, candidate.TypeName, candidate.Metadata.Kind, candidate.Metadata.Priority,
            new ProbeHostVerifiedCopy(copy, verified.LoadableFiles));
    }

    private static ProbeHostResult? Parse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, ProbeHostJsonContext.Default.ProbeHostResult);
        }
        catch (JsonException)
        {
            return null; // not a protocol line
        }
    }

    private static ProbeOutcome ToOutcome(PlatformCandidate candidate, ProbeHostResult result)
    {
        var devices = result.Devices.Select(d => d.ToDeviceInfo()).ToList();
        ProbeResult? probe = result.Status switch
        {
            CandidateStatus.Available when devices.Count > 0 => ProbeResult.Available(devices, result.Reason),
            CandidateStatus.NotPresent => ProbeResult.NotPresent(result.Reason ?? ""),
            CandidateStatus.Unavailable => ProbeResult.Unavailable(result.Reason ?? "", devices),
            _ => null,
        };
        return new ProbeOutcome(candidate, null, probe, probe is null && result.Status == CandidateStatus.Available ? CandidateStatus.Failed : result.Status, result.Reason, result.ProbeMs);
    }

    private static ProbeOutcome Crashed(PlatformCandidate candidate, HostRun run)
    {
        var how = run.ExitCode is > 128 and < 160
            ? $"was killed by signal {run.ExitCode - 128} ({SignalName(run.ExitCode.Value - 128)})"
            : $"exited with code {run.ExitCode}";
        var detail = LastLine(run.StandardError);
        return new ProbeOutcome(candidate, null, null, CandidateStatus.Failed,
            $"The isolated probe host {how} while probing '{candidate.Name}'" + (detail is null ? "" : $" ({detail})") +
            ". The plugin's probe or native library crashed; report it to the plugin's vendor. Other platforms were not affected.",
            run.ElapsedMs);
    }

    private static string? LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() is { } line
            ? line.Length > 200 ? line[..200] + "..." : line
            : null;

    private static string SignalName(int signal) => signal switch
    {
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "signal " + signal,
    };

    private sealed record HostRun(Dictionary<PlatformCandidate, ProbeOutcome> Outcomes, bool TimedOut, int? ExitCode, string StandardError, double ElapsedMs);
}
