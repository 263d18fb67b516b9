using System.Text.Json.Serialization;

namespace Sgl.Platforms.Selection;

/// <summary>The selection report's JSON shape: camelCase names, enums as strings, nulls kept so the schema is fixed.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(SelectionReport))]
internal sealed partial class SelectionReportJsonContext : JsonSerializerContext;
