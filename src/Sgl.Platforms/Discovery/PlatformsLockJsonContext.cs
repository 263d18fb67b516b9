using System.Text.Json.Serialization;

namespace Sgl.Platforms.Discovery;

/// <summary>The lock file's JSON shape: camelCase, indented so a diff in review shows what changed.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true)]
[JsonSerializable(typeof(PlatformsLock))]
internal sealed partial class PlatformsLockJsonContext : JsonSerializerContext;
