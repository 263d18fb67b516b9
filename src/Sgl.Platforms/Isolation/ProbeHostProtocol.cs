using System.Text.Json.Serialization;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Isolation;

/// <summary>
/// What the parent asks the probe host to probe (one JSON document on the host's stdin). Results come back
/// on a private pipe the parent passes to the child (<c>--results</c>), never on stdout, which plugin code
/// shares: one result per candidate, carrying the token the parent gave that candidate.
/// </summary>
internal sealed record ProbeHostRequest(string SystemRoot, int ProbeTimeoutMs, IReadOnlyList<ProbeHostCandidate> Candidates);

/// <summary>
/// One candidate to probe: a built-in by name, or a plugin type in an assembly file. An installed plugin
/// also carries <c>Verified</c>: the private copy of its verified files the parent wrote, with their
/// SHA-512, which the probe host checks again and then loads from memory.
/// </summary>
internal sealed record ProbeHostCandidate(string Name, bool BuiltIn, string? AssemblyName, string? AssemblyPath, string? TypeName, PlatformEnum Kind, int Priority, ProbeHostVerifiedCopy? Verified = null, string Token = "");

/// <summary>A folder the parent wrote with an installed plugin's verified files, and each file's base64 SHA-512.</summary>
internal sealed record ProbeHostVerifiedCopy(string Directory, IReadOnlyDictionary<string, string> Files);

/// <summary>One probe's outcome (one JSON line on the result pipe, written as soon as the probe ends), with the candidate's token.</summary>
internal sealed record ProbeHostResult(string Name, CandidateStatus Status, string? Reason, double ProbeMs, IReadOnlyList<ProbeHostDevice> Devices, string Token = "");

/// <summary>A device as the probe host reports it.</summary>
internal sealed record ProbeHostDevice(int Index, string Name, long? MemoryBytes, string? Capability, string? Uuid, string? PciBusId, string? DriverVersion)
{
    public static ProbeHostDevice From(DeviceInfo d) => new(d.Index, d.Name, d.MemoryBytes, d.Capability, d.Uuid, d.PciBusId, d.DriverVersion);

    public DeviceInfo ToDeviceInfo() => new(Index, Name) { MemoryBytes = MemoryBytes, Capability = Capability, Uuid = Uuid, PciBusId = PciBusId, DriverVersion = DriverVersion };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ProbeHostRequest))]
[JsonSerializable(typeof(ProbeHostResult))]
internal sealed partial class ProbeHostJsonContext : JsonSerializerContext;
