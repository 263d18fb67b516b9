using System.Text.Json.Serialization;
using Sgl.Runtime.Entrypoints;
using Args = Sgl.Platforms.Serving.ServerArgs;

namespace Sgl.Runtime.Distributed;

/// <summary>What the launcher publishes for its workers under <see cref="WorkerKeys.Job"/>: its decision and the run.</summary>
/// <param name="Platform">The platform the launcher selected; every worker must select the same.</param>
/// <param name="DeviceIndexes">The device each rank opens, as the launcher computed it.</param>
/// <param name="UserArgs">The server arguments the user gave (every worker completes them the same way).</param>
/// <param name="Prompt">The prompt.</param>
/// <param name="MaxNewTokens">Tokens to generate at most.</param>
/// <param name="ReturnPrefillLogits">Whether rank 0 returns the prefill logits.</param>
internal sealed record WorkerJob(string Platform, IReadOnlyList<int> DeviceIndexes, Args UserArgs, string Prompt, int MaxNewTokens, bool ReturnPrefillLogits);

/// <summary>How a worker's run failed, published under <see cref="WorkerKeys.Failed"/> so the launcher can report it as the in-process run would.</summary>
internal sealed record WorkerFailure(int Rank, WorkerFailureKind Kind, string Message)
{
    public LaunchPlan? Plan { get; init; }

    public IReadOnlyList<int> PromptTokenIds { get; init; } = [];

    public IReadOnlyList<int> OutputTokenIds { get; init; } = [];
}

internal enum WorkerFailureKind
{
    /// <summary>An argument is invalid on this platform.</summary>
    InvalidArguments,

    /// <summary>The platform lacks a part the runtime needs.</summary>
    MissingCapability,

    /// <summary>Generation stopped part-way (the KV pool filled up).</summary>
    Stopped,

    /// <summary>The worker did not select the launcher's platform or device.</summary>
    Disagreement,

    /// <summary>Anything else: a communicator that could not start, a device error.</summary>
    Error,
}

/// <summary>The rendezvous keys of the launch protocol.</summary>
internal static class WorkerKeys
{
    public const string Job = "sgl/job";
    public const string Result = "sgl/result";

    public static string Failed(int rank) => $"sgl/failed/{rank}";
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WorkerJob))]
[JsonSerializable(typeof(WorkerFailure))]
[JsonSerializable(typeof(GenerationResult))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
