namespace Sgl.Platforms.Devices;

/// <summary>
/// The operations of the device layer (contract v1). Minor versions of the contract may add kinds; a device
/// that does not know a kind does not support it, and a runtime then runs it on the CPU reference.
/// </summary>
public enum OperationKind
{
    /// <summary><see cref="EmbeddingGatherOperation"/>.</summary>
    EmbeddingGather,

    /// <summary><see cref="RmsNormOperation"/>.</summary>
    RmsNorm,

    /// <summary><see cref="MatMulOperation"/>.</summary>
    MatMul,

    /// <summary><see cref="RotaryOperation"/>.</summary>
    Rotary,

    /// <summary><see cref="SiluMulOperation"/>.</summary>
    SiluMul,

    /// <summary><see cref="AddOperation"/>.</summary>
    Add,

    /// <summary><see cref="KvWriteOperation"/>.</summary>
    KvWrite,

    /// <summary><see cref="PrefillAttentionOperation"/>.</summary>
    PrefillAttention,

    /// <summary><see cref="DecodeAttentionOperation"/>.</summary>
    DecodeAttention,

    /// <summary><see cref="AttentionOperation"/>.</summary>
    Attention,

    /// <summary><see cref="ArgmaxOperation"/>.</summary>
    Argmax,

    /// <summary><see cref="AllReduceOperation"/>; carried out by the rank's communicator, not by a device.</summary>
    AllReduce,

    /// <summary><see cref="FillUniformOperation"/>.</summary>
    FillUniform,
}
