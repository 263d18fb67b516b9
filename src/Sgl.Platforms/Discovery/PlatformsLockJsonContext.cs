using System.Text.Json.Serialization;

namespace Sgl.Platforms.Discovery;

/// <summary>The lock file's JSON shape: camelCase, indented so a diff in review shows what changed.</summary>
/// <remarks>
/// Reading is strict: a null or missing field, or a property written twice, is an error with its JSON path;
/// <see cref="PlatformsLockCheck"/> then checks the values.
/// </remarks>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(PlatformsLock))]
internal sealed partial class PlatformsLockJsonContext : JsonSerializerContext;
