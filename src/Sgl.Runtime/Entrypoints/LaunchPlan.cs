namespace Sgl.Runtime.Entrypoints;

/// <summary>What the runtime set up on the current platform, for rank 0; filled in step by step, so a launch that stops early shows how far it got.</summary>
public sealed record LaunchPlan
{
    /// <summary>The platform's name.</summary>
    public required string Platform { get; init; }

    /// <summary>The model.</summary>
    public required string Model { get; init; }

    /// <summary>What the model is, in one line (the embedded models have random weights: their text is meaningless).</summary>
    public string? ModelDescription { get; init; }

    /// <summary>Tensor-parallel size.</summary>
    public required int TpSize { get; init; }

    /// <summary>True when each rank ran in a worker process of its own; false when ranks were threads of one process.</summary>
    public bool WorkerProcesses { get; init; }

    /// <summary>Rank 0's device, as the probe named it.</summary>
    public string? Device { get; init; }

    /// <summary>Rank 0's device index.</summary>
    public int? DeviceIndex { get; init; }

    /// <summary>Rank 0's device's compute capability, when the platform has one.</summary>
    public string? DeviceCapability { get; init; }

    /// <summary>Where the model computes: the platform's device, or the host CPU (and why).</summary>
    public string? Compute { get; init; }

    /// <summary>The platform's device-visibility variable as this process sees it (for example <c>CUDA_VISIBLE_DEVICES=0</c>), when set.</summary>
    public string? VisibleDevices { get; init; }

    /// <summary>The element type of weights and activations.</summary>
    public string? DataType { get; init; }

    /// <summary>Bytes of rank 0's weights on its device.</summary>
    public long? WeightBytes { get; init; }

    /// <summary>How the weights got there.</summary>
    public string? WeightSource { get; init; }

    /// <summary>The graph runner (for example <c>cuda-graph</c>, or <c>eager</c> with the reason).</summary>
    public string? GraphRunner { get; init; }

    /// <summary>Where the KV pool lives (the device).</summary>
    public string? KvPoolLocation { get; init; }

    /// <summary>The KV pool's capacity in tokens, per rank.</summary>
    public int? KvPoolTokens { get; init; }

    /// <summary>The KV pool's size in bytes, per rank.</summary>
    public long? KvPoolBytes { get; init; }

    /// <summary>The KV pool's element type.</summary>
    public string? KvCacheDataType { get; init; }

    /// <summary>The attention backend's name.</summary>
    public string? AttentionBackend { get; init; }

    /// <summary>The device communicator's backend, or null when the launch has none (tp 1).</summary>
    public string? Communicator { get; init; }

    /// <summary>The distributed backend the platform names (nccl, gloo...).</summary>
    public string? DistributedBackend { get; init; }

    /// <summary>What each contribution to the platform served (an extension point), or why it was left out (it threw or declined; the platform's own part ran instead).</summary>
    public IReadOnlyList<string> Contributions { get; init; } = [];

    /// <summary>Where each operation of a decode step runs, grouped by kind and place.</summary>
    public IReadOnlyList<OperationSummary> DecodeOperations { get; init; } = [];

    /// <summary>The decode step's operations that ran on the CPU reference, and what they cost.</summary>
    public IReadOnlyList<FallbackSummary> Fallbacks { get; init; } = [];
}
