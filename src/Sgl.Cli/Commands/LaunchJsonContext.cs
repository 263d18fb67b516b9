using System.Text.Json.Serialization;

namespace Sgl.Cli.Commands;

/// <summary>JSON for <c>sgl launch --json</c>: camelCase, enums as strings, one object on one line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LaunchOutput))]
internal sealed partial class LaunchJsonContext : JsonSerializerContext;
