using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Models;

/// <summary>The shape of a decoder model the runtime can build: a byte-level decoder with RMSNorm, rotary positions and a SwiGLU MLP.</summary>
internal sealed record DecoderConfig
{
    /// <summary>The model's name, as <c>--model-path</c> accepts it.</summary>
    public required string Name { get; init; }

    /// <summary>One line for <c>sgl launch</c>: what the model is and what its output means.</summary>
    public required string Description { get; init; }

    public required int VocabSize { get; init; }

    public required int HiddenSize { get; init; }

    public required int LayerCount { get; init; }

    public required int QueryHeads { get; init; }

    public required int KvHeads { get; init; }

    public int HeadDim => HiddenSize / QueryHeads;

    public required int IntermediateSize { get; init; }

    /// <summary>Longest sequence (prompt and generated tokens) a request may have.</summary>
    public required int MaxContext { get; init; }

    public float RopeTheta { get; init; } = 10000f;

    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>Seed of the weights; the same seed gives the same weights on every machine.</summary>
    public required ulong Seed { get; init; }

    /// <summary>The element type used when neither the user nor the platform picks one.</summary>
    public required ElementType DefaultDataType { get; init; }

    /// <summary>Where the weights come from.</summary>
    public required WeightSource Weights { get; init; }

    /// <summary>The token that ends a sequence, or null when the model never stops early (benchmark shapes).</summary>
    public int? EndOfSequence { get; init; }

    /// <summary>Tensor-parallel sizes the model can be split into: they must divide the heads and the MLP width.</summary>
    public bool CanSplit(int tpSize) => tpSize >= 1 && QueryHeads % tpSize == 0 && KvHeads % tpSize == 0 && IntermediateSize % tpSize == 0;

    /// <summary>The tensor-parallel sizes up to <paramref name="most"/> that split the model.</summary>
    public IEnumerable<int> Splits(int most) => Enumerable.Range(1, Math.Max(1, most)).Where(CanSplit);
}

/// <summary>Where a model's weights come from.</summary>
internal enum WeightSource
{
    /// <summary>Generated on the host from a fixed seed (bit-identical everywhere), then uploaded once.</summary>
    HostSeeded,

    /// <summary>Generated where they live with the FillUniform operation; nothing crosses from the host.</summary>
    DeviceFill,
}
