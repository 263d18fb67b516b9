using Sgl.Platforms.Devices;

namespace Sgl.Platforms.Serving;

/// <summary>
/// The serving runtime's arguments. A null property means the user left it unset;
/// <see cref="ServingHooks.ApplyServerArgsDefaults(ServerArgs)"/> fills only those.
/// </summary>
public sealed class ServerArgs
{
    /// <summary>The model to serve (the embedded tiny model's name by default).</summary>
    public string? ModelPath { get; set; }

    /// <summary>Tensor-parallel size.</summary>
    public int? TpSize { get; set; }

    /// <summary>Fraction of free device memory the KV cache may take, in (0, 1].</summary>
    public double? MemFractionStatic { get; set; }

    /// <summary>The attention backend by name, as <see cref="Platform.GetAttentionBackends"/> lists them.</summary>
    public string? AttentionBackend { get; set; }

    /// <summary>The element type of the weights and activations.</summary>
    public ElementType? DataType { get; set; }

    /// <summary>The KV cache element type.</summary>
    public ElementType? KvCacheDataType { get; set; }

    /// <summary>Runs every step eagerly instead of capturing and replaying graphs.</summary>
    public bool? DisableGraphCapture { get; set; }

    /// <summary>The most prompt tokens one prefill step processes.</summary>
    public int? ChunkedPrefillSize { get; set; }

    /// <summary>The distributed backend (nccl, rccl, hccl, xccl, gloo, mccl...).</summary>
    public string? DistributedBackend { get; set; }

    /// <summary>Maximum number of tokens the KV cache holds; derived from free memory when unset.</summary>
    public int? MaxTotalTokens { get; set; }
}
