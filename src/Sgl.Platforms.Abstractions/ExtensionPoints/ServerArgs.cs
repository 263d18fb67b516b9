namespace Sgl.Platforms.ExtensionPoints;

/// <summary>
/// The serving runtime's arguments. A null property means the user left it unset;
/// <see cref="Platform.ApplyServerArgsDefaults(ServerArgs)"/> fills only those.
/// </summary>
public sealed class ServerArgs
{
    /// <summary>The model to serve (the embedded tiny model's name by default).</summary>
    public string? ModelPath { get; set; }

    /// <summary>Tensor-parallel size.</summary>
    public int? TpSize { get; set; }

    /// <summary>Fraction of free device memory reserved for weights and the KV cache, in (0, 1].</summary>
    public double? MemFractionStatic { get; set; }

    /// <summary>The attention backend by name, as the platform's <see cref="Platform.GetAttentionBackends"/> lists them.</summary>
    public string? AttentionBackend { get; set; }

    /// <summary>The KV cache element type.</summary>
    public KvCacheDataType? KvCacheDataType { get; set; }

    /// <summary>Disables graph capture (CUDA graphs or the platform's equivalent).</summary>
    public bool? DisableCudaGraph { get; set; }

    /// <summary>Maximum number of tokens per prefill chunk.</summary>
    public int? ChunkedPrefillSize { get; set; }

    /// <summary>Maximum number of requests decoded together.</summary>
    public int? MaxRunningRequests { get; set; }

    /// <summary>Tokens per KV cache page.</summary>
    public int? PageSize { get; set; }

    /// <summary>The distributed backend (nccl, rccl, hccl, xccl, gloo, mccl...).</summary>
    public string? DistributedBackend { get; set; }

    /// <summary>Maximum number of tokens the KV cache holds; derived from free memory when unset.</summary>
    public int? MaxTotalTokens { get; set; }
}
