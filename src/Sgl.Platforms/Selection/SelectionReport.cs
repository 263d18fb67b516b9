using System.Text.Json.Serialization;
using Sgl.Platforms.Contributions;

namespace Sgl.Platforms.Selection;

/// <summary>What platform selection saw and decided; printed by <c>sgl platforms list</c>.</summary>
public sealed record SelectionReport
{
    /// <summary>The selected platform's name, or null when none could be selected.</summary>
    public string? Selected { get; init; }

    /// <summary>Every candidate, in the order the report shows them.</summary>
    public required IReadOnlyList<CandidateReport> Candidates { get; init; }

    /// <summary>Every contribution found, with what happened to it: active ones compose with the selected platform.</summary>
    public IReadOnlyList<ContributionReport> Contributions { get; init; } = [];

    /// <summary>The selected platform.</summary>
    [JsonIgnore]
    public Platform? Platform { get; init; }

    /// <summary>Why nothing was selected, when <see cref="Selected"/> is null.</summary>
    [JsonIgnore]
    public PlatformSelectionException? Error { get; init; }

    /// <summary>The report as JSON: <c>{ "selected", "candidates": [ { "name", "kind", "source", "assembly", "version", "priority", "status", "reason", "probeMs", "devices" } ], "contributions": [ { "name", "kind", "extends", "assembly", "version", "priority", "vendor", "status", "reason" } ] }</c>.</summary>
    public string ToJson() => SelectionReportJson.Write(this);

    /// <summary>The selected platform, or the selection error.</summary>
    /// <exception cref="PlatformSelectionException">No platform was selected.</exception>
    public Platform GetPlatformOrThrow() => Platform ?? throw Error ?? new PlatformSelectionException("No platform was selected.");
}
