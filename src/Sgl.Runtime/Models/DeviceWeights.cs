using System.Runtime.InteropServices;
using Sgl.Platforms.Devices;

namespace Sgl.Runtime.Models;

/// <summary>
/// One rank's weights on its device, allocated once: uploaded from the host (<see cref="WeightSource.HostSeeded"/>)
/// or generated in place by FillUniform operations (<see cref="WeightSource.DeviceFill"/>), plus the rotary
/// cos/sin table.
/// </summary>
internal sealed class DeviceWeights : IDisposable
{
    private readonly List<DeviceBuffer> _all = [];

    private DeviceWeights(ComputeDevice device, DecoderShard shard, ElementType dataType)
    {
        var config = shard.Config;
        var h = config.HiddenSize;
        DataType = dataType;
        Embedding = Allocate(device, dataType, config.VocabSize, h);
        Layers = [.. Enumerable.Range(0, config.LayerCount).Select(_ => new DeviceLayerWeights(
            AttentionNorm: Allocate(device, dataType, 1, h),
            Qkv: Allocate(device, dataType, shard.Heads.QkvWidth, h),
            Output: Allocate(device, dataType, h, shard.Heads.OutputWidth),
            MlpNorm: Allocate(device, dataType, 1, h),
            GateUp: Allocate(device, dataType, 2 * shard.Intermediate, h),
            Down: Allocate(device, dataType, h, shard.Intermediate)))];
        FinalNorm = Allocate(device, dataType, 1, h);
        LmHead = Allocate(device, dataType, config.VocabSize, h);
        CosSin = Allocate(device, ElementType.Float32, config.MaxContext, config.HeadDim);
    }

    public ElementType DataType { get; }

    /// <summary>[vocab, hidden].</summary>
    public DeviceBuffer Embedding { get; }

    public IReadOnlyList<DeviceLayerWeights> Layers { get; }

    public DeviceBuffer FinalNorm { get; }

    public DeviceBuffer LmHead { get; }

    /// <summary>[context, head dim] float32: cosines then sines of each position.</summary>
    public DeviceBuffer CosSin { get; }

    /// <summary>Every buffer: constant once loaded.</summary>
    public IReadOnlySet<DeviceBuffer> All => _all.ToHashSet();

    /// <summary>Bytes the weights take on the device.</summary>
    public long SizeBytes => _all.Sum(b => b.SizeBytes);

    /// <summary>Allocates the weights and uploads <paramref name="host"/>, converted to <paramref name="dataType"/>.</summary>
    public static DeviceWeights Upload(ComputeDevice device, HostShard host, ElementType dataType)
    {
        var weights = new DeviceWeights(device, host.Shard, dataType);
        try
        {
            Load(device, weights.Embedding, host.Embedding);
            for (var i = 0; i < host.Layers.Count; i++)
            {
                var (target, source) = (weights.Layers[i], host.Layers[i]);
                Load(device, target.AttentionNorm, source.AttentionNorm);
                Load(device, target.Qkv, source.Qkv);
                Load(device, target.Output, source.Output);
                Load(device, target.MlpNorm, source.MlpNorm);
                Load(device, target.GateUp, source.GateUp);
                Load(device, target.Down, source.Down);
            }

            Load(device, weights.FinalNorm, host.FinalNorm);
            Load(device, weights.LmHead, host.LmHead);
            weights.LoadCosSin(device, host.Shard.Config);
            return weights;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>Allocates the weights for generation in place; run <see cref="FillOperations"/> to fill them.</summary>
    public static DeviceWeights AllocateForFill(ComputeDevice device, DecoderShard shard, ElementType dataType)
    {
        var weights = new DeviceWeights(device, shard, dataType);
        try
        {
            weights.LoadCosSin(device, shard.Config);
            return weights;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The FillUniform operations that generate every weight where it lives: matrices U(-√(3/in), √(3/in)), norms
    /// U(0.9, 1.1), the embedding U(-1, 1); one seed per tensor and rank.
    /// </summary>
    public IEnumerable<DeviceOperation> FillOperations(DecoderShard shard)
    {
        var seed = shard.Config.Seed + (ulong)shard.Rank * 0x1_0000UL;
        var tensor = 0UL;
        FillUniformOperation Matrix(DeviceBuffer b)
        {
            var bound = MathF.Sqrt(3f / b.Shape.Columns);
            return new FillUniformOperation(b, seed + ++tensor, -bound, bound);
        }

        FillUniformOperation Norm(DeviceBuffer b) => new(b, seed + ++tensor, 0.9f, 1.1f);

        yield return new FillUniformOperation(Embedding, seed + ++tensor, -1f, 1f);
        foreach (var layer in Layers)
        {
            yield return Norm(layer.AttentionNorm);
            yield return Matrix(layer.Qkv);
            yield return Matrix(layer.Output);
            yield return Norm(layer.MlpNorm);
            yield return Matrix(layer.GateUp);
            yield return Matrix(layer.Down);
        }

        yield return Norm(FinalNorm);
        yield return Matrix(LmHead);
    }

    public void Dispose()
    {
        foreach (var buffer in _all)
        {
            buffer.Dispose();
        }
    }

    private DeviceBuffer Allocate(ComputeDevice device, ElementType dataType, int rows, int columns)
    {
        var buffer = device.Allocate(dataType, new TensorShape(rows, columns));
        _all.Add(buffer);
        return buffer;
    }

    private static void Load(ComputeDevice device, DeviceBuffer target, float[] values)
    {
        if (target.ElementType == ElementType.Float32)
        {
            device.CopyToDevice<float>(values, target);
            return;
        }

        var bits = new ushort[values.Length];
        ElementCodec.Encode(values, MemoryMarshal.AsBytes(bits.AsSpan()), target.ElementType);
        device.CopyToDevice<ushort>(bits, target);
    }

    /// <summary>cos/sin of position × θ^(−2i/d), computed in double as the reference always has.</summary>
    private void LoadCosSin(ComputeDevice device, DecoderConfig config)
    {
        var d = config.HeadDim;
        var half = d / 2;
        var table = new float[config.MaxContext * d];
        for (var position = 0; position < config.MaxContext; position++)
        {
            for (var i = 0; i < half; i++)
            {
                var angle = position * Math.Pow(config.RopeTheta, -2.0 * i / d);
                table[position * d + i] = (float)Math.Cos(angle);
                table[position * d + half + i] = (float)Math.Sin(angle);
            }
        }

        device.CopyToDevice<float>(table, CosSin);
    }
}

/// <summary>One layer's weights on the device.</summary>
internal sealed record DeviceLayerWeights(DeviceBuffer AttentionNorm, DeviceBuffer Qkv, DeviceBuffer Output, DeviceBuffer MlpNorm, DeviceBuffer GateUp, DeviceBuffer Down);
