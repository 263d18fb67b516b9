using System.Diagnostics;
using System.IO.Pipes;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>Serialises starting probe hosts (see <see cref="RunHost"/>).</summary>
    private static readonly Lock StartGate = new();

    /// <summary>The most a child's stdout or stderr is kept of (characters).</summary>
    private const int MaxKeptOutputChars = 64 * 1024;

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
        // Each candidate's result must carry the token given to it here; plugin code in the child cannot guess one.
        var tokens = candidates.ToDictionary(_ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), c => c, StringComparer.Ordinal);
        var start = new ProcessStartInfo(host.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Results travel on a private pipe; the child's stdout is plugin code's, and is only shown.
        using var results = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.Inheritable);
        foreach (var argument in host.LeadingArguments.Concat(["platforms", ProbeHostCommand.Verb, ProbeHostCommand.ResultsOption, results.GetClientHandleAsString()]))
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        Process process;
        lock (StartGate)
        {
            // A child inherits what is inheritable at its start: only its own end of its own pipe may be open then.
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the probe host '{host.FileName}'.");
            results.DisposeLocalCopyOfClientHandle();
        }

        using (process)
        {
            var errorTail = ReadBoundedAsync(process.StandardError);
            var pluginOutput = ReadBoundedAsync(process.StandardOutput);
            process.StandardInput.Write(JsonSerializer.Serialize(Request(candidates, tokens), ProbeHostJsonContext.Default.ProbeHostRequest));
            process.StandardInput.Close();

            var channel = new ProbeResultChannel(tokens);
            var reading = Task.Run(() => channel.ReadAll(new StreamReader(results, Encoding.UTF8)));
            var finished = process.WaitForExit(settings.ProbeTimeout + StartAllowance);
            if (!finished)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            reading.Wait(TimeSpan.FromSeconds(5));
            var stderr = errorTail.Wait(TimeSpan.FromSeconds(5)) ? errorTail.Result : "";
            ShowPluginOutput(pluginOutput.Wait(TimeSpan.FromSeconds(5)) ? pluginOutput.Result : "", stderr);
            var (accepted, violations) = channel.Snapshot();
            var outcomes = accepted.ToDictionary(r => r.Key, r => ToOutcome(r.Key, r.Value));
            if (violations.Count > 0)
            {
                // Only plugin code in the child could have written it, and it cannot be told which: none of this child's plugins is trusted.
                var plugins = candidates.Where(c => !c.IsBuiltIn).ToList();
                foreach (var suspect in plugins.Count > 0 ? plugins : candidates)
                {
                    outcomes[suspect] = ProtocolViolation(suspect, plugins, violations, clock.Elapsed.TotalMilliseconds);
                }
            }

            return new HostRun(outcomes, !finished, finished ? process.ExitCode : null, stderr, clock.Elapsed.TotalMilliseconds);
        }
    }

    private static ProbeOutcome ProtocolViolation(PlatformCandidate suspect, List<PlatformCandidate> plugins, List<string> violations, double elapsedMs)
    {
        var what = violations.Count == 1 ? violations[0] : $"{violations[0]} and {violations.Count - 1} more line(s) that are not its results";
        var who = plugins.Count <= 1
            ? $"plugin code of '{suspect.Name}', the only plugin it ran, wrote to it"
            : $"plugin code of one of {string.Join(", ", plugins.Select(p => $"'{p.Name}'"))}, which it ran together, wrote to it";
        return new ProbeOutcome(suspect, null, null, CandidateStatus.Failed,
            $"The probe host's private result channel carried {what}. Only the probe host writes there, so {who}; '{suspect.Name}' is refused. " +
            "A plugin must not forge or tamper with probe results: remove it, and report it to its vendor.",
            elapsedMs);
    }

    /// <summary>What plugin code in the probe host wrote to its stdout and stderr: shown on stderr where the process owns its stdout (sgl), never taken as a result.</summary>
    private static void ShowPluginOutput(string output, string error)
    {
        if (!PluginCodeGuard.ProtectStandardOutput || (output.Length == 0 && error.Length == 0))
        {
            return;
        }

        Console.Error.WriteLine("sgl: plugin code in the probe host wrote to the console (shown here; results travel on a private channel):");
        foreach (var text in new[] { output, error }.Where(t => t.Length > 0))
        {
            Console.Error.WriteLine(text.TrimEnd('\n'));
        }
    }

    /// <summary>Reads a child's stream to its end, keeping at most <see cref="MaxKeptOutputChars"/>: a child writing without end must not fill memory.</summary>
    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            kept.Append(buffer, 0, Math.Min(read, MaxKeptOutputChars - kept.Length));
        }

        return kept.ToString();
    }

    private ProbeHostRequest Request(IReadOnlyList<PlatformCandidate> candidates, Dictionary<string, PlatformCandidate> tokens)
    {
        var tokenOf = tokens.ToDictionary(t => t.Value, t => t.Key);
        return new(
            settings.SystemRoot,
            (int)settings.ProbeTimeout.TotalMilliseconds,
            candidates.Select(c => (c.Location?.Verified is { } verified
                ? VerifiedRequest(c, verified)
                : new ProbeHostCandidate(c.Name, c.IsBuiltIn, c.Location?.AssemblyName, c.Location?.Path, c.TypeName, c.Metadata.Kind, c.Metadata.Priority)) with { Token = tokenOf[c] }).ToList());
    }

    private ProbeHostCandidate VerifiedRequest(PlatformCandidate candidate, VerifiedPlugin verified)
    {
        var copy = _verifiedCopies[verified];
        var location = candidate.Location!;
        var assembly = Path.Combine(copy, Path.GetRelativePath(verified.Directory, location.Path!));
        return new ProbeHostCandidate(candidate.Name, false, location.AssemblyName, assembly, candidate.TypeName, candidate.Metadata.Kind, candidate.Metadata.Priority,
            new ProbeHostVerifiedCopy(copy, verified.LoadableFiles));
    }

    private static ProbeOutcome ToOutcome(PlatformCandidate candidate, ProbeHostResult result)
    {
        var devices = result.Devices.Take(ReportLimits.MaxDevices).Select(d => d.ToDeviceInfo()).ToList();
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
