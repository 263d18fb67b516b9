using Sgl.Platforms.Selection;
using Sgl.Runtime.Entrypoints;
using Sgl.Runtime.Models;

namespace Sgl.Cli.Commands;

/// <summary>What <c>sgl launch --json</c> prints: the selection, the plan and the generation (or the error that stopped it).</summary>
internal sealed record LaunchOutput
{
    public required SelectionReport Selection { get; init; }

    public LaunchPlan? Plan { get; init; }

    public required string Prompt { get; init; }

    public IReadOnlyList<int> PromptTokenIds { get; init; } = [];

    public IReadOnlyList<int> OutputTokenIds { get; init; } = [];

    public string? OutputText { get; init; }

    public double? PrefillSeconds { get; init; }

    public double? DecodeSeconds { get; init; }

    public int? DecodeSteps { get; init; }

    public double? DecodeTokensPerSecond { get; init; }

    public long? DecodeAllocatedBytes { get; init; }

    public double? DecodeBytesToDevicePerStep { get; init; }

    public double? DecodeBytesToHostPerStep { get; init; }

    public string? Error { get; init; }

    public static LaunchOutput From(SelectionReport selection, GenerationRequest request, GenerationResult result) => new()
    {
        Selection = selection,
        Plan = result.Plan,
        Prompt = request.Prompt,
        PromptTokenIds = result.PromptTokenIds,
        OutputTokenIds = result.OutputTokenIds,
        OutputText = result.OutputText,
        PrefillSeconds = result.PrefillSeconds,
        DecodeSeconds = result.DecodeSeconds,
        DecodeSteps = result.DecodeSteps,
        DecodeTokensPerSecond = result.DecodeTokensPerSecond,
        DecodeAllocatedBytes = result.DecodeAllocatedBytes,
        DecodeBytesToDevicePerStep = result.DecodeBytesToDevicePerStep,
        DecodeBytesToHostPerStep = result.DecodeBytesToHostPerStep,
    };

    public static LaunchOutput Incomplete(SelectionReport selection, GenerationRequest request, LaunchPlan? plan, string error) => new()
    {
        Selection = selection,
        Plan = plan,
        Prompt = request.Prompt,
        Error = error,
    };

    /// <summary>A generation that stopped part way: the plan, and the tokens generated before it stopped.</summary>
    public static LaunchOutput Stopped(SelectionReport selection, GenerationRequest request, GenerationStoppedException stopped) => new()
    {
        Selection = selection,
        Plan = stopped.Plan,
        Prompt = request.Prompt,
        PromptTokenIds = stopped.PromptTokenIds,
        OutputTokenIds = stopped.OutputTokenIds,
        OutputText = ByteTokenizer.Decode(stopped.OutputTokenIds),
        Error = stopped.Message,
    };
}
