using System.Text.Json.Serialization;
using Sgl.Platforms.Probing;
using Sgl.Platforms.Selection;

namespace Sgl.Platforms.Isolation;

/// <summary>What the parent asks the probe host to probe (one JSON document on the host's stdin).</summary>
internal sealed record ProbeHostRequest(string SystemRoot, int ProbeTimeoutMs, IReadOnlyList<ProbeHostCandidate> Candidates);

/// <summary>One candidate to probe: a built-in by name, or a plugin type in an assembly file.</summary>
internal sealed record ProbeHostCandidate(string Name, bool BuiltIn, string? AssemblyName, string? AssemblyPath, string? TypeName, PlatformEnum Kind, int Priority);

/// <summary>One probe's outcome (one JSON line on the host's stdout, written as soon as the probe ends).</summary>
internal sealed record ProbeHostResult(string Name, CandidateStatus Status, string? Reason, double ProbeMs, IReadOnlyList<ProbeHostDevice> Devices);

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
