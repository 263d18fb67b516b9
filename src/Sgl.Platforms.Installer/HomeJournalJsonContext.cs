using System.Text.Json.Serialization;

namespace Sgl.Platforms.Installer;

/// <summary>The home's journal: the plugin folders ('id/version') an operation is about to create or retire.</summary>
[JsonSerializable(typeof(List<string>))]
internal sealed partial class HomeJournalJsonContext : JsonSerializerContext;
