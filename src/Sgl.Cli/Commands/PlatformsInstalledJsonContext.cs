using System.Text.Json.Serialization;
using Sgl.Platforms.Installer;

namespace Sgl.Cli.Commands;

/// <summary>JSON for <c>sgl platforms list --installed --json</c>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<InstalledPlugin>))]
internal sealed partial class PlatformsInstalledJsonContext : JsonSerializerContext;
