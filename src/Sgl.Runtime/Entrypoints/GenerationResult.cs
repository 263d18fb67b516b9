namespace Sgl.Runtime.Entrypoints;

/// <summary>What a generation produced and how fast.</summary>
public sealed record GenerationResult
{
    /// <summary>What the runtime set up.</summary>
    public required LaunchPlan Plan { get; init; }

    /// <summary>The prompt's token ids.</summary>
    public required IReadOnlyList<int> PromptTokenIds { get; init; }

    /// <summary>The generated token ids, in order.</summary>
    public required IReadOnlyList<int> OutputTokenIds { get; init; }

    /// <summary>The generated text.</summary>
    public required string OutputText { get; init; }

    /// <summary>Seconds the prefill took (the prompt, producing the first token).</summary>
    public required double PrefillSeconds { get; init; }

    /// <summary>Seconds the decode steps took.</summary>
    public required double DecodeSeconds { get; init; }

    /// <summary>Decode steps run (one per generated token after the first).</summary>
    public required int DecodeSteps { get; init; }

    /// <summary>Decode throughput: <see cref="DecodeSteps"/> / <see cref="DecodeSeconds"/>.</summary>
    public double DecodeTokensPerSecond => DecodeSeconds > 0 ? DecodeSteps / DecodeSeconds : 0;

    /// <summary>Managed bytes rank 0's thread allocated during all decode steps (0 means the decode path does not allocate).</summary>
    public required long DecodeAllocatedBytes { get; init; }

    /// <summary>The prefill's logits as float32, when <see cref="GenerationRequest.ReturnPrefillLogits"/> asked for them.</summary>
    public IReadOnlyList<float>? PrefillLogits { get; init; }

    /// <summary>Bytes copied from the host to rank 0's device per decode step (the position and KV slot, plus any CPU fallback's).</summary>
    public required double DecodeBytesToDevicePerStep { get; init; }

    /// <summary>Bytes copied from rank 0's device to the host per decode step (the sampled token id, plus any CPU fallback's).</summary>
    public required double DecodeBytesToHostPerStep { get; init; }
}
