namespace Sgl.Runtime.Entrypoints;

/// <summary>What the runtime set up on the current platform, for rank 0; filled in step by step, so a launch that stops early shows how far it got.</summary>
public sealed record LaunchPlan
{
    /// <summary>The platform's name.</summary>
    public required string Platform { get; init; }

    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>Tensor-parallel size.</summary>
    public required int TpSize { get; init; }

    /// <summary>Rank 0's device, as the probe named it.</summary>
    public string? Device { get; init; }

    /// <summary>Rank 0's device index.</summary>
    public int? DeviceIndex { get; init; }

    /// <summary>The graph runner's name (for example <c>eager</c>).</summary>
    public string? GraphRunner { get; init; }

    /// <summary>Where the KV pool lives (for example <c>host</c> or <c>device</c>).</summary>
    public string? KvPoolLocation { get; init; }

    /// <summary>The KV pool's capacity in tokens, per rank.</summary>
    public int? KvPoolTokens { get; init; }

    /// <summary>The KV pool's size in bytes, per rank.</summary>
    public long? KvPoolBytes { get; init; }

    /// <summary>The attention backend's name.</summary>
    public string? AttentionBackend { get; init; }

    /// <summary>The device communicator's backend, or null when the platform has none.</summary>
    public string? Communicator { get; init; }

    /// <summary>The distributed backend the platform names (nccl, gloo...).</summary>
    public string? DistributedBackend { get; init; }
}
