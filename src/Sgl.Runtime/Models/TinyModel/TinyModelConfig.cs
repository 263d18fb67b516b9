namespace Sgl.Runtime.Models.TinyModel;

/// <summary>The shape of the embedded tiny model: a byte-level decoder with RMSNorm, rotary positions and a SwiGLU MLP.</summary>
internal sealed record TinyModelConfig
{
    /// <summary>The model's name, as <c>--model-path</c> accepts it.</summary>
    public const string ModelName = "sgl-tiny";

    /// <summary>The one model this build embeds.</summary>
    public static TinyModelConfig Default { get; } = new();

    public int VocabSize { get; init; } = ByteTokenizer.VocabSize;

    public int HiddenSize { get; init; } = 64;

    public int LayerCount { get; init; } = 4;

    public int HeadCount { get; init; } = 4;

    public int HeadDim => HiddenSize / HeadCount;

    public int IntermediateSize { get; init; } = 128;

    /// <summary>Longest sequence (prompt and generated tokens) a request may have.</summary>
    public int MaxContext { get; init; } = 2048;

    public float RopeTheta { get; init; } = 10000f;

    public float RmsNormEpsilon { get; init; } = 1e-5f;

    /// <summary>Seed of the weight generator; the same seed gives the same weights on every machine.</summary>
    public ulong Seed { get; init; } = 0x5EED_0001UL;

    /// <summary>Tensor-parallel sizes the model can be split into: they must divide both the heads and the MLP width.</summary>
    public bool CanSplit(int tpSize) => tpSize >= 1 && HeadCount % tpSize == 0 && IntermediateSize % tpSize == 0;
}
