using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Models;

/// <summary>The models this build can run, by name. Nothing is downloaded: weights are generated from seeds.</summary>
internal static class ModelCatalog
{
    /// <summary>The default: a tiny byte-level model whose weights are random but fixed.</summary>
    public static DecoderConfig Tiny { get; } = new()
    {
        Name = "sgl-tiny",
        Description = "a tiny byte-level decoder with seeded random weights: it runs for real, but its text is meaningless",
        VocabSize = ByteTokenizer.VocabSize,
        HiddenSize = 64,
        LayerCount = 4,
        QueryHeads = 4,
        KvHeads = 4,
        IntermediateSize = 128,
        MaxContext = 2048,
        Seed = 0x5EED_0001UL,
        DefaultDataType = ElementType.Float32,
        Weights = WeightSource.HostSeeded,
        EndOfSequence = ByteTokenizer.EndOfSequence,
    };

    /// <summary>A 1B-class shape for measuring a device (benchmarks only): weights generated on the device.</summary>
    public static DecoderConfig Synthetic1B { get; } = new()
    {
        Name = "sgl-synthetic-1b",
        Description = "a 1B-class shape with weights generated on the device, for benchmarks: its text is meaningless and it never stops early",
        VocabSize = 32000,
        HiddenSize = 2048,
        LayerCount = 16,
        QueryHeads = 16,
        KvHeads = 16,
        IntermediateSize = 8192,
        MaxContext = 4096,
        Seed = 0x5EED_1B00UL,
        DefaultDataType = ElementType.BFloat16,
        Weights = WeightSource.DeviceFill,
    };

    public static IReadOnlyList<DecoderConfig> All { get; } = [Tiny, Synthetic1B];

    public static DecoderConfig? Find(string name) => All.FirstOrDefault(m => m.Name == name);
}
