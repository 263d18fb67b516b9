using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Sgl.Platforms.BuiltIn;
using Sgl.Platforms.Contributions;
using Sgl.Platforms.Discovery;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Isolation;

/// <summary>
/// The child side of isolated probing (<c>sgl platforms probe-host</c>): reads a request, loads and
/// probes the candidates, and writes one JSON line per finished probe so that results already
/// written survive a later crash.
/// </summary>
public static class ProbeHostServer
{
    /// <summary>Serves one request from <paramref name="input"/>, writing results to <paramref name="output"/>.</summary>
    /// <param name="input">The request (JSON).</param>
    /// <param name="output">Receives one JSON result line per candidate; nothing else may be written there, so it is the private result pipe, never stdout.</param>
    /// <returns>The process exit code: 0, or 2 when the request is unreadable.</returns>
    public static int Run(TextReader input, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ProbeHostRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(input.ReadToEnd(), ProbeHostJsonContext.Default.ProbeHostRequest);
        }
        catch (JsonException e)
        {
            Console.Error.WriteLine($"probe-host: the request is not valid JSON: {e.Message}");
            return 2;
        }

        if (request is null)
        {
            Console.Error.WriteLine("probe-host: empty request");
            return 2;
        }

        var gate = new Lock();
        void Write(ProbeHostResult result)
        {
            lock (gate)
            {
                output.WriteLine(JsonSerializer.Serialize(result, ProbeHostJsonContext.Default.ProbeHostResult));
                output.Flush();
            }
        }

        var candidates = request.Candidates.Select(ToCandidate).ToList();
        var tokens = candidates.Zip(request.Candidates, (candidate, asked) => (candidate, asked.Token)).ToDictionary(p => p.candidate, p => p.Token);
        CandidateLoader.Load(candidates);
        // Parts that import host services get them here too; the deployer's plugin settings come through the environment.
        var services = new HostServices(new SystemView(request.SystemRoot), PlatformSettings.PluginSettingsOf(PlatformOptions.FromEnvironment()), NullLoggerFactory.Instance);
        var exports = CandidateComposer.Compose(candidates.Where(c => c.IsPending).ToList(), services);
        foreach (var stopped in candidates.Where(c => !c.IsPending))
        {
            Write(new ProbeHostResult(stopped.Name, stopped.Status!.Value, stopped.Reason, 0, [], tokens[stopped]));
        }

        new CandidateProber(services.System, TimeSpan.FromMilliseconds(request.ProbeTimeoutMs))
            .ProbeAll(exports, outcome => Write(new ProbeHostResult(
                outcome.Candidate.Name,
                outcome.Status,
                outcome.Reason,
                Math.Round(outcome.ElapsedMs, 2),
                outcome.Result?.Devices.Select(ProbeHostDevice.From).ToList() ?? [],
                tokens[outcome.Candidate])));
        return 0;
    }

    private static PlatformCandidate ToCandidate(ProbeHostCandidate c)
    {
        // An installed plugin loads only from the private copy the parent wrote, after its hashes match again.
        var (verified, refused) = c.Verified is { } copy ? VerifiedPlugin.Capture(copy.Directory, copy.Files, trust: null) : (null, null);
        var candidate = new PlatformCandidate
        {
            Name = c.Name,
            Metadata = new PlatformMetadata { Name = c.Name, Kind = c.Kind, Priority = c.Priority },
            Source = c.BuiltIn ? CandidateSource.BuiltIn : CandidateSource.DevPath,
            AssemblyDisplay = c.AssemblyPath ?? c.AssemblyName ?? c.Name,
            Version = "",
            TypeName = c.TypeName,
            Type = c.BuiltIn ? BuiltInPlatforms.Types.FirstOrDefault(t => t.FullName == c.TypeName) : null,
            Location = c.BuiltIn ? null : new PluginAssemblyLocation(c.AssemblyName ?? c.Name, c.AssemblyPath, Isolated: c.AssemblyPath is not null, verified),
        };
        if (c.BuiltIn && candidate.Type is null)
        {
            candidate.Stop(CandidateStatus.Failed, $"The probe host has no built-in platform {c.TypeName}; the probe host and this application are different versions.");
        }

        if (refused is not null)
        {
            candidate.Stop(CandidateStatus.Failed, $"The probe host refused the copy of '{candidate.AssemblyDisplay}' it was given: {refused}");
        }

        return candidate;
    }
}
